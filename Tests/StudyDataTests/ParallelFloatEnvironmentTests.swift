import Parallel
import XCTest

/// Every thread that runs `parallelFor` work flushes denormals to zero (as TensorFlow's CPU
/// threads do): half the smallest normal float, computed on the workers, is 0, not a
/// subnormal.
final class ParallelFloatEnvironmentTests: XCTestCase {
    func testWorkersFlushDenormalsToZero() {
        let n = 64
        let inputs = [Float](repeating: .leastNormalMagnitude, count: n)
        var halves = [Float](repeating: -1, count: n)
        inputs.withUnsafeBufferPointer { x in
            halves.withUnsafeMutableBufferPointer { y in
                let src = SharedConstPointer(base: x.baseAddress!), dst = SharedPointer(base: y.baseAddress!)
                parallelFor(n) { i in
                    // Busy enough that several threads take part.
                    var v = src[i]
                    for _ in 0..<10_000 { v = v * 0.5 * 2 }
                    dst[i] = v * 0.5
                }
            }
        }
        #if arch(x86_64) || arch(arm64)
        XCTAssertEqual(halves, [Float](repeating: 0, count: n))
        #endif
        XCTAssertTrue(halves.allSatisfy { $0 == 0 || $0 == Float.leastNormalMagnitude / 2 })
    }
}
