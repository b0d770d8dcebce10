import XCTest
@testable import Plots

final class TickTests: XCTestCase {
    func assertTicks(_ ticks: [Double], _ expected: [Double], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(ticks.count, expected.count, "\(ticks) vs \(expected)", file: file, line: line)
        for (a, b) in zip(ticks, expected) { XCTAssertEqual(a, b, accuracy: 1e-12, "\(ticks)", file: file, line: line) }
    }

    func testNiceTicksUseOneTwoFiveSteps() {
        assertTicks(niceTicks(min: 0, max: 6450, maxCount: 6), [0, 2000, 4000, 6000, 8000])
        assertTicks(niceTicks(min: 0, max: 1, maxCount: 6), [0, 0.2, 0.4, 0.6, 0.8, 1])
        assertTicks(niceTicks(min: 0, max: 1, maxCount: 11), [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1])
        assertTicks(niceTicks(min: 1, max: 12, maxCount: 10), [0, 2, 4, 6, 8, 10, 12])
        assertTicks(niceTicks(min: 0.2, max: 0.8, maxCount: 6), [0.2, 0.4, 0.6, 0.8])
        assertTicks(niceTicks(min: -3.2, max: 7.9, maxCount: 6), [-5, 0, 5, 10])
        assertTicks(niceTicks(min: 0.181, max: 0.632, maxCount: 6), [0, 0.2, 0.4, 0.6, 0.8])
    }

    func testNiceTicksEncloseTheDataAndRespectMaxCount() {
        var state: UInt64 = 42
        for _ in 0..<500 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let a = Double(Int64(bitPattern: state) % 100_000) / 97
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let b = a + Double(state % 1_000_000 + 1) / 1013
            for maxCount in [3, 5, 6, 10] {
                let t = niceTicks(min: a, max: b, maxCount: maxCount)
                XCTAssertLessThanOrEqual(t.count, maxCount)
                XCTAssertLessThanOrEqual(t.first!, a + 1e-9)
                XCTAssertGreaterThanOrEqual(t.last!, b - 1e-9)
                let step = t[1] - t[0]
                let mantissa = step / pow(10, (log10(step) + 1e-9).rounded(.down))
                XCTAssertTrue([1, 2, 5].contains { abs($0 - mantissa) < 1e-6 }, "step \(step)")
            }
        }
    }

    func testDegenerateRangeIsWidened() {
        assertTicks(niceTicks(min: 0, max: 0, maxCount: 6), [-1, -0.5, 0, 0.5, 1])
        XCTAssertTrue(niceTicks(min: 5, max: 5).contains(5))
    }

    func testLogTicks() {
        XCTAssertEqual(logTicks(min: 2, max: 22_000), [1, 10, 100, 1000, 10_000, 100_000])
        XCTAssertEqual(logTicks(min: 1, max: 1), [1, 10])
        XCTAssertEqual(logTicks(min: 0.05, max: 0.5), [0.01, 0.1, 1])
    }

    func testTickFormattingDropsNeedlessDecimals() {
        XCTAssertEqual(formatTick(2000, step: 500), "2,000")
        XCTAssertEqual(formatTick(0.25, step: 0.05), "0.25")
        XCTAssertEqual(formatTick(0.2, step: 0.2), "0.2")
        XCTAssertEqual(formatTick(1, step: 0.2), "1.0")
        XCTAssertEqual(formatTick(4, step: 2), "4")
        XCTAssertEqual(formatTick(-5, step: 5), "−5")
        XCTAssertEqual(formatTick(1_250_000, step: 250_000), "1,250,000")
    }

    func testValueFormatting() {
        XCTAssertEqual(formatValue(5550), "5,550")
        XCTAssertEqual(formatValue(0.915), "0.915")
        XCTAssertEqual(formatValue(0.5), "0.5")
        XCTAssertEqual(formatValue(0.46251), "0.463")
        XCTAssertEqual(formatValue(-0.0001), "0")
        XCTAssertEqual(formatValue(-1234.5), "−1,234.5")
        XCTAssertEqual(formatNumber(999.999, decimals: 2), "1,000.00")
        XCTAssertEqual(formatValues([0.4625, 0.36, 0.5]), ["0.463", "0.360", "0.500"])
        XCTAssertEqual(formatValues([5550, 6450]), ["5,550", "6,450"])
        XCTAssertEqual(formatValues([0.9, 0.92]), ["0.90", "0.92"])
        XCTAssertEqual(formatValues([]), [])
    }
}
