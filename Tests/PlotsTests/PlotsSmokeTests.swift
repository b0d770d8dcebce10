import XCTest
@testable import Plots

final class PlotsSmokeTests: XCTestCase {
    func testModuleLoads() { XCTAssertTrue(true) }
}
