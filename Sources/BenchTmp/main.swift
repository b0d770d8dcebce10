import NN
import Foundation
let args = CommandLine.arguments
let names = args.count > 1 ? args[1].split(separator: ",").map(String.init) : Architecture.allCases.map(\.rawValue)
let iters = args.count > 2 ? Int(args[2])! : 5
let profile = args.count > 3
func cpu() -> Double { var u = rusage(); getrusage(RUSAGE_SELF.rawValue, &u); return Double(u.ru_utime.tv_sec) + Double(u.ru_utime.tv_usec) * 1e-6 + Double(u.ru_stime.tv_sec) + Double(u.ru_stime.tv_usec) * 1e-6 }
if names == ["gemm"] { gemmMain(); exit(0) }
if names == ["dump"] { try dumpMain(); exit(0) }
if names == ["mem"] { try memMain(); exit(0) }
if names == ["summary"] { for a in Architecture.allCases { print(summaryText(try a.build(head: .perLabel, seed: 1))) }; exit(0) }
for n in names {
    let a = Architecture(rawValue: n)!
    if profile {
        for (name, f, b) in try LayerBenchmark.perLayerMilliseconds(a, iterations: iters) {
            print(String(format: "  %-22@ fwd %8.2f ms  bwd %8.2f ms", name as NSString, f, b))
        }
    }
    let c0 = cpu()
    let t = try LayerBenchmark.forwardBackwardImagesPerSecond(a, iterations: iters)
    let c1 = cpu()
    print(String(format: "%@\t%.1f img/s\tcpu %.2f ms/img", n, t, (c1 - c0) * 1000 / Double(32 * (iters + 1))))
}
