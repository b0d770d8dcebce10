import XCTest
@testable import NN

final class NNSmokeTests: XCTestCase {
    /// Every architecture builds for both heads with the input shape it declares, and a
    /// forward pass gives one probability row per image.
    func testEveryArchitectureBuildsAndPredicts() throws {
        for arch in [Architecture.conv2, .conv4, .lstm1, .fc1, .fc2] {
            for head in [Head.perLabel, .joint] {
                let model = try arch.build(head: head, seed: 1)
                let x = Tensor(zeros: [2] + model.inputShape)
                let p = predictProbabilities(model, x, batchSize: 2)
                XCTAssertEqual(p.shape, [2, head == .joint ? 3 : 2], "\(arch) \(head)")
                XCTAssertTrue(p.data.allSatisfy { $0 >= 0 && $0 <= 1 && $0.isFinite }, "\(arch) \(head)")
            }
        }
    }
}
