import NN
import Foundation
let args = CommandLine.arguments
let names = args.count > 1 ? args[1].split(separator: ",").map(String.init) : Architecture.allCases.map(\.rawValue)
let iters = args.count > 2 ? Int(args[2])! : 5
let profile = args.count > 3
for n in names {
    let a = Architecture(rawValue: n)!
    if profile {
        for (name, f, b) in try LayerBenchmark.perLayerMilliseconds(a, iterations: iters) {
            print(String(format: "  %-22@ fwd %8.2f ms  bwd %8.2f ms", name as NSString, f, b))
        }
    }
    let t = try LayerBenchmark.forwardBackwardImagesPerSecond(a, iterations: iters)
    print(String(format: "%@\t%.1f img/s", n, t))
}
