import Foundation
import XCTest
import NN
@testable import Report

final class ConfigTests: XCTestCase {
    func write(_ text: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("cfg-\(UUID().uuidString).yaml")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    func testYAMLOverridesProfileDefaults() throws {
        let url = try write("profile: full\nmodels: [conv2, fc1]\nepochs: 7\naugment: true\n")
        let c = try StudyConfig.load(url, base: .quick)
        XCTAssertEqual(c.profile, .full)
        XCTAssertEqual(c.models, [.conv2, .fc1])
        XCTAssertEqual(c.epochs, 7)
        XCTAssertTrue(c.augment)
        XCTAssertEqual(c.trainLimit, nil, "full profile uses all training images")
        XCTAssertEqual(c.gridHead, .perLabel)
    }

    func testBadConfigNamesFileAndField() throws {
        let url = try write("epochs: many\n")
        XCTAssertThrowsError(try StudyConfig.load(url, base: .quick)) { e in
            XCTAssertTrue("\(e)".contains(url.path), "\(e)")
            XCTAssertTrue("\(e)".contains("epochs"), "\(e)")
        }
        let bad = try write("models: [conv9]\n")
        XCTAssertThrowsError(try StudyConfig.load(bad, base: .quick))
        let zero = try write("epochs: 0\n")
        XCTAssertThrowsError(try StudyConfig.load(zero, base: .quick)) { e in
            XCTAssertTrue("\(e)".contains("epochs must be at least 1"), "\(e)")
        }
    }

    func testPlanSharesEqualVariants() {
        let c = StudyConfig.defaults(for: .quick)
        let plan = c.experiments
        XCTAssertEqual(plan.first?.rows.count, 8)
        var unique: [Variant] = []
        for e in plan { for r in e.rows where !unique.contains(r.variant) { unique.append(r.variant) } }
        // The base experiment variant recurs in several experiments but trains once.
        let base = c.experimentBase
        XCTAssertEqual(unique.filter { $0 == base }.count, 1)
        XCTAssertGreaterThan(plan.flatMap(\.rows).count, unique.count)
        // Names are distinct, so files do not collide.
        let names = unique.map { $0.name(relativeTo: c.gridVariant($0.architecture)) }
        XCTAssertEqual(Set(names).count, names.count, "\(names)")
    }
}
