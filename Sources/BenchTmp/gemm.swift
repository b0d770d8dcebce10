import NN
import Foundation
func bench(_ label: String, transA: Bool, transB: Bool, m: Int, n: Int, k: Int, lda: Int, ldb: Int) {
    let a = [Float](repeating: 0.5, count: (transA ? k : m) * lda + 16)
    let b = [Float](repeating: 0.25, count: (transB ? n : k) * ldb + 16)
    var c = [Float](repeating: 0, count: m * n)
    let clk = ContinuousClock()
    var best = Duration.seconds(100)
    for _ in 0..<5 {
        let d = clk.measure {
            a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
                sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 1, a: ap.baseAddress!, lda: lda, b: bp.baseAddress!, ldb: ldb, beta: 0, c: cp.baseAddress!, ldc: n)
            } } }
        }
        best = min(best, d)
    }
    let s = Double(best.components.attoseconds) * 1e-18 + Double(best.components.seconds)
    print(String(format: "%@  %.1f GF/s  %.2f ms", label, Double(2 * m * n * k) / s * 1e-9, s * 1e3))
}
func gemmMain() {
    bench("conv2-1 fwd M×25×75", transA: false, transB: false, m: 131072, n: 25, k: 75, lda: 75, ldb: 25)
    bench("conv2-1 fwd^T 25×M×75", transA: false, transB: true, m: 25, n: 131072, k: 75, lda: 75, ldb: 75)
    bench("conv3-2 fwd M×75×450 (9 items)", transA: false, transB: false, m: 36864, n: 75, k: 450, lda: 450, ldb: 75)
    bench("conv3-2 dW 450×75×M", transA: true, transB: false, m: 450, n: 75, k: 36864, lda: 450, ldb: 75)
    bench("conv3-2 dcols M×450×75", transA: false, transB: true, m: 36864, n: 450, k: 75, lda: 75, ldb: 75)
    bench("conv5-2 fwd M×32×288", transA: false, transB: false, m: 123008, n: 32, k: 288, lda: 288, ldb: 32)
    bench("conv5-7 fwd 1152×512×3200", transA: false, transB: false, m: 1152, n: 512, k: 3200, lda: 3200, ldb: 512)
    bench("square 1024", transA: false, transB: false, m: 1024, n: 1024, k: 1024, lda: 1024, ldb: 1024)
}
