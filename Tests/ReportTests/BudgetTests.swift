import XCTest
import SeededRandom
@testable import Report

/// The quick profile's plan: how a time budget becomes training sizes.
final class BudgetTests: XCTestCase {
    /// Speeds of the order this project's 2-core machine measures (images/s, training and
    /// inference; the medians of five start-up measurements of the fifth session's engine).
    /// With the joint head's parameter counts, which the fixed cost per network scales with.
    static let speeds: [String: Throughput] = [
        "conv1": .init(train: 120, infer: 650, parameters: 26_217_987), "conv2": .init(train: 560, infer: 1_600, parameters: 103_753),
        "conv3": .init(train: 70, infer: 250, parameters: 16_246_228), "conv4": .init(train: 1_000, infer: 2_850, parameters: 123_331),
        "conv5": .init(train: 73, infer: 240, parameters: 9_008_419), "lstm1": .init(train: 530, infer: 1_160, parameters: 754_947),
        "fc1": .init(train: 7_000, infer: 30_000, parameters: 1_115_395), "fc2": .init(train: 7_000, infer: 32_000, parameters: 1_075_235),
    ]
    let measured = BudgetTests.speeds
    let counts = Budget.Counts(pool: 9_000, monitor: 400, scored: 1_500)

    func cost(_ a: String, _ s: Plan.Size, _ speed: [String: Throughput]) -> Double {
        let n = Double(s.trainLimit ?? counts.pool), v = speed[a]!
        return Double(s.epochs) * (n / v.train + Double(counts.monitor) / v.infer) + Double(counts.scored) / v.infer + Budget.cellSeconds(v)
    }

    /// Every speed moved by up to ±20 %, independently, as two measurements on one host can differ.
    func perturbed(_ rng: inout SeededGenerator) -> [String: Throughput] {
        measured.mapValues { t in
            let f = 0.8 + 0.4 * Double(rng.nextFloat())
            return Throughput(train: t.train * f, infer: t.infer * f, parameters: t.parameters)
        }
    }

    func testMainComparisonFitsItsShare() {
        let cfg = StudyConfig.defaults(for: .quick)
        let sizes = Budget.sizes(cfg, counts: counts, speed: measured)
        let total = sizes.main.reduce(0) { $0 + cost($1.key, $1.value, measured) }
        XCTAssertLessThanOrEqual(total, cfg.budgetSeconds! * Budget.mainShare * 1.001)
        // Little of the share is left unused (sizes are rounded down to 500 images).
        XCTAssertGreaterThan(total, cfg.budgetSeconds! * Budget.mainShare * 0.85)
        XCTAssertEqual(Set(sizes.main.keys), Set(cfg.mainModels.map(\.name)))
    }

    /// A network that is clearly cheaper (beyond `costTie`) to train on every image gets
    /// `wholeEpochs` epochs over them before a costlier one gets more than its floor —
    /// whatever the measurement's noise.
    func testCheaperNetworksReachTheWholeTrainingSetFirst() {
        let cfg = StudyConfig.defaults(for: .quick)
        var rng = SeededGenerator(seed: 7, stream: "budget-test")
        for _ in 0..<50 {
            let speed = perturbed(&rng)
            let sizes = Budget.sizes(cfg, counts: counts, speed: speed)
            let whole = Plan.Size(trainLimit: nil, epochs: Budget.wholeEpochs(cfg))
            for (a, sa) in sizes.main {
                for (b, sb) in sizes.main where cost(a, whole, speed) * Budget.costTie < cost(b, whole, speed) {
                    if (sb.trainLimit ?? counts.pool) > Budget.floorImages + Budget.imageQuantum {
                        XCTAssertNil(sa.trainLimit, "\(b) got \(sb) before the cheaper \(a) saw every image (\(sa))")
                        XCTAssertGreaterThanOrEqual(sa.epochs, Budget.wholeEpochs(cfg), "\(b) got \(sb) before the cheaper \(a) got its epochs (\(sa))")
                    }
                }
            }
            // conv4, cheap here, trains on at least two training sets' worth of images in every
            // such measurement (all of them for up to `wholeEpochs` epochs, or a large subset
            // for more epochs than two when the noise leaves a little less).
            let c4 = sizes.main["conv4"]!
            XCTAssertGreaterThanOrEqual((c4.trainLimit ?? counts.pool) * c4.epochs, counts.pool * Budget.minEpochs, "conv4: \(c4)")
            XCTAssertGreaterThan(c4.trainLimit ?? counts.pool, counts.pool / 2, "conv4: \(c4)")
        }
    }

    /// Fewer epochs buy at least as many steps but for rounding to 500 images, and rounding
    /// must not trade fresh images for repeats: a default run's plan swapped the experiments'
    /// 1,000 × 2 for 500 × 5 and back with the measurement's noise. More epochs still win
    /// over the same images, and over a subset when all images for fewer epochs buy far fewer
    /// steps.
    func testRoundingDoesNotTradeImagesForEpochs() {
        func pick(_ fits: [(Int, Int)]) -> [Int]? { Budget.pick(fits.map { (n: $0.0, e: $0.1) }).map { [$0.n, $0.e] } }
        XCTAssertEqual(pick([(1_000, 2), (500, 3), (500, 4), (500, 5)]), [1_000, 2])
        XCTAssertEqual(pick([(1_500, 2), (1_000, 3)]), [1_500, 2])
        XCTAssertEqual(pick([(500, 2), (500, 3)]), [500, 3])
        XCTAssertEqual(pick([(9_000, 2), (8_500, 3), (7_500, 4)]), [7_500, 4])
        XCTAssertEqual(pick([(9_000, 2), (9_000, 3), (8_500, 4)]), [8_500, 4])
        XCTAssertNil(pick([]))
    }

    /// Two networks of about the same cost share alike, whichever the noise makes cheaper.
    func testNetworksOfAboutTheSameCostShareAlike() {
        var cfg = StudyConfig.defaults(for: .quick)
        cfg.models = [.conv2, .lstm1]
        cfg.experiments = []
        cfg.budgetSeconds = 40
        var speed = measured
        for (f2, fl) in [(1.0, 1.1), (1.1, 1.0)] {
            speed["conv2"]!.train = 480 * f2
            speed["lstm1"]!.train = 480 * fl
            let sizes = Budget.sizes(cfg, counts: counts, speed: speed)
            let c2 = sizes.main["conv2"]!, l1 = sizes.main["lstm1"]!
            XCTAssertEqual(c2.epochs, Budget.minEpochs)
            XCTAssertEqual(l1.epochs, Budget.minEpochs)
            // Neither gets every image while the other is left far behind.
            let n2 = Double(c2.trainLimit ?? counts.pool), nl = Double(l1.trainLimit ?? counts.pool)
            XCTAssertLessThan(abs(n2 - nl), 0.2 * max(n2, nl), "conv2 \(c2), lstm1 \(l1)")
        }
    }

    func testTooSmallABudgetScalesTheFloorsDown() {
        var cfg = StudyConfig.defaults(for: .quick)
        cfg.budgetSeconds = 20
        let sizes = Budget.sizes(cfg, counts: counts, speed: measured)
        for (a, s) in sizes.main {
            XCTAssertEqual(s.trainLimit, Budget.imageQuantum, a)
            XCTAssertEqual(s.epochs, Budget.minEpochs, a)
        }
    }
}
