import XCTest
@testable import StudyData

final class StudyDataSmokeTests: XCTestCase {
    func testModuleLoads() { XCTAssertTrue(true) }
}
