import Foundation
import XCTest
@testable import NN

/// Goldens from scikit-learn 1.9.1 (numpy float32 scores rounded to 2 decimals, so there are
/// ties), produced by this script (`python -m pip install scikit-learn numpy`):
///
///     import json, numpy as np
///     from sklearn.metrics import precision_recall_curve, average_precision_score, roc_curve, roc_auc_score, precision_score, recall_score, f1_score, accuracy_score, confusion_matrix
///     rng = np.random.default_rng(42)
///     y = (rng.random(40) < 0.4).astype(int)
///     s = np.round(np.clip(0.35 * y + 0.65 * rng.random(40), 0, 1), 2).astype(np.float32)  # rounded → ties
///     out = {"truth": y.tolist(), "scores": [float(v) for v in s]}
///     out["averagePrecision"] = float(average_precision_score(y, s))
///     p, r, t = precision_recall_curve(y, s)
///     out["pr"] = {"precision": p.tolist(), "recall": r.tolist(), "thresholds": [float(v) for v in t]}
///     fpr, tpr, th = roc_curve(y, s, drop_intermediate=False)
///     out["roc"] = {"fpr": fpr.tolist(), "tpr": tpr.tolist()}
///     out["auc"] = float(roc_auc_score(y, s))
///     pred = (s >= 0.5).astype(int)
///     out["at05"] = {"precision": precision_score(y, pred, zero_division=0), "recall": recall_score(y, pred, zero_division=0),
///                    "f1": f1_score(y, pred, zero_division=0), "accuracy": accuracy_score(y, pred),
///                    "confusion": confusion_matrix(y, pred).tolist()}
///     f1s = [(float(th), f1_score(y, (s >= th).astype(int), zero_division=0)) for th in sorted(set(s.tolist()))]
///     best = max(f1s, key=lambda a: (a[1], -a[0]))
///     out["bestF1"] = {"threshold": best[0], "f1": best[1]}
///     print(json.dumps(out))
private let sklearnGoldenJSON = #"""
{"truth":[0,0,0,0,1,0,0,0,1,0,1,0,0,0,0,1,0,1,0,0,0,1,0,0,0,1,0,1,1,0,0,0,1,1,0,1,1,0,1,0],
"scores":[0.2800000011920929,0.5400000214576721,0.46000000834465027,0.20000000298023224,
0.8899999856948853,0.5199999809265137,0.25,0.1899999976158142,0.7900000214576721,
0.09000000357627869,0.47999998927116394,0.0,0.5099999904632568,0.4300000071525574,
0.46000000834465027,0.8600000143051147,0.30000001192092896,0.7200000286102295,0.09000000357627869,
0.07000000029802322,0.4300000071525574,0.6600000262260437,0.3700000047683716,0.5,0.4099999964237213,
0.7099999785423279,0.36000001430511475,0.550000011920929,0.3700000047683716,0.2800000011920929,
0.14000000059604645,0.27000001072883606,0.8999999761581421,0.5,0.03999999910593033,
0.5299999713897705,0.5400000214576721,0.4300000071525574,0.7099999785423279,0.5099999904632568],
"averagePrecision":0.913737406384465,"pr":{"precision":[0.35,0.358974358974359,0.3684210526315789,
0.3783783783783784,0.4,0.4117647058823529,0.42424242424242425,0.4375,0.45161290322580644,
0.4666666666666667,0.5,0.5185185185185185,0.5384615384615384,0.5416666666666666,0.5652173913043478,
0.65,0.7222222222222222,0.7058823529411765,0.7333333333333333,0.8461538461538461,0.9166666666666666,
0.9090909090909091,1.0,1.0,1.0,1.0,1.0,1.0,1.0,1.0,1.0],"recall":[1.0,1.0,1.0,1.0,1.0,1.0,1.0,1.0,
1.0,1.0,1.0,1.0,1.0,0.9285714285714286,0.9285714285714286,0.9285714285714286,0.9285714285714286,
0.8571428571428571,0.7857142857142857,0.7857142857142857,0.7857142857142857,0.7142857142857143,
0.6428571428571429,0.5714285714285714,0.5,0.35714285714285715,0.2857142857142857,
0.21428571428571427,0.14285714285714285,0.07142857142857142,0.0],"thresholds":[0.0,
0.03999999910593033,0.07000000029802322,0.09000000357627869,0.14000000059604645,0.1899999976158142,
0.20000000298023224,0.25,0.27000001072883606,0.2800000011920929,0.30000001192092896,
0.36000001430511475,0.3700000047683716,0.4099999964237213,0.4300000071525574,0.46000000834465027,
0.47999998927116394,0.5,0.5099999904632568,0.5199999809265137,0.5299999713897705,0.5400000214576721,
0.550000011920929,0.6600000262260437,0.7099999785423279,0.7200000286102295,0.7900000214576721,
0.8600000143051147,0.8899999856948853,0.8999999761581421]},"roc":{"fpr":[0.0,0.0,0.0,0.0,0.0,0.0,
0.0,0.0,0.0,0.038461538461538464,0.038461538461538464,0.07692307692307693,0.15384615384615385,
0.19230769230769232,0.19230769230769232,0.2692307692307692,0.38461538461538464,0.4230769230769231,
0.46153846153846156,0.5,0.5384615384615384,0.6153846153846154,0.6538461538461539,0.6923076923076923,
0.7307692307692307,0.7692307692307693,0.8076923076923077,0.8846153846153846,0.9230769230769231,
0.9615384615384616,1.0],"tpr":[0.0,0.07142857142857142,0.14285714285714285,0.21428571428571427,
0.2857142857142857,0.35714285714285715,0.5,0.5714285714285714,0.6428571428571429,0.7142857142857143,
0.7857142857142857,0.7857142857142857,0.7857142857142857,0.8571428571428571,0.9285714285714286,
0.9285714285714286,0.9285714285714286,0.9285714285714286,1.0,1.0,1.0,1.0,1.0,1.0,1.0,1.0,1.0,1.0,
1.0,1.0,1.0]},"auc":0.9381868131868132,"at05":{"precision":0.7058823529411765,
"recall":0.8571428571428571,"f1":0.7741935483870968,"accuracy":0.825,"confusion":[[21,5],[2,12]]},
"bestF1":{"threshold":0.5299999713897705,"f1":0.8461538461538461}}
"""#

private struct SklearnGoldens: Decodable {
    struct PR: Decodable { let precision: [Double]; let recall: [Double]; let thresholds: [Double] }
    struct ROC: Decodable { let fpr: [Double]; let tpr: [Double] }
    struct At: Decodable { let precision, recall, f1, accuracy: Double; let confusion: [[Int]] }
    struct Best: Decodable { let threshold: Double; let f1: Double }
    let truth: [UInt8]
    let scores: [Double]
    let averagePrecision: Double
    let pr: PR
    let roc: ROC
    let auc: Double
    let at05: At
    let bestF1: Best
}

final class MetricsTests: XCTestCase {
    private let golden = try! JSONDecoder().decode(SklearnGoldens.self, from: Data(sklearnGoldenJSON.utf8))
    private var scores: [Float] { golden.scores.map { Float($0) } }

    // MARK: hand-computed

    /// truth 1 1 0 0 1 0, scores .9 .4 .6 .2 .5 .5, threshold 0.5 (positive iff ≥ 0.5):
    /// predicted 1 0 1 0 1 1 → tp 2, fp 2, tn 1, fn 1; precision 1/2, recall 2/3,
    /// F1 = 4/(4 + 2 + 1) = 4/7, accuracy 3/6.
    func testBinaryMetricsByHand() {
        let m = BinaryMetrics(truth: [UInt8]([1, 1, 0, 0, 1, 0]), scores: [0.9, 0.4, 0.6, 0.2, 0.5, 0.5], threshold: 0.5)
        XCTAssertEqual([m.tp, m.fp, m.tn, m.fn], [2, 2, 1, 1])
        XCTAssertEqual(m.precision, 0.5)
        XCTAssertEqual(m.recall, 2.0 / 3, accuracy: 1e-15)
        XCTAssertEqual(m.f1, 4.0 / 7, accuracy: 1e-15)
        XCTAssertEqual(m.accuracy, 0.5)
        XCTAssertEqual(m.confusionMatrix, [[1, 2], [1, 2]])
        XCTAssertEqual(BinaryMetrics(truth: [Float]([1, 1, 0, 0, 1, 0]), scores: [0.9, 0.4, 0.6, 0.2, 0.5, 0.5]), m)
    }

    func testZeroDivisionGivesZero() {
        // Nothing predicted positive and no positives: precision, recall, F1 all 0/0 → 0.
        let m = BinaryMetrics(truth: [UInt8]([0, 0, 0]), scores: [0.1, 0.2, 0.3])
        XCTAssertEqual([m.precision, m.recall, m.f1], [0, 0, 0])
        XCTAssertEqual(m.accuracy, 1)
        XCTAssertEqual(BinaryMetrics(truth: [UInt8](), scores: []).accuracy, 0)
        XCTAssertEqual(Metrics.averagePrecision(truth: [UInt8]([0, 0]), scores: [0.3, 0.7]), 0)
        XCTAssertEqual(Metrics.rocCurve(truth: [UInt8]([1, 1]), scores: [0.3, 0.7]).auc, 0)
    }

    /// truth 1 0 1 1 0, scores .8 .7 .7 .3 .1. Distinct thresholds descending:
    /// .8 → tp 1 fp 0 (P 1, R 1/3); .7 (tie, one step) → tp 2 fp 1 (P 2/3, R 2/3);
    /// .3 → tp 3 fp 1 (P 3/4, R 1); .1 → tp 3 fp 2 (P 3/5, R 1).
    /// AP = 1/3·1 + 1/3·2/3 + 1/3·3/4 + 0 = 29/36.
    func testAveragePrecisionAndCurveByHandWithTies() {
        let t: [UInt8] = [1, 0, 1, 1, 0], s: [Float] = [0.8, 0.7, 0.7, 0.3, 0.1]
        XCTAssertEqual(Metrics.averagePrecision(truth: t, scores: s), 29.0 / 36, accuracy: 1e-15)
        let curve = Metrics.precisionRecallCurve(truth: t, scores: s)
        XCTAssertEqual(curve.map(\.threshold), [0.1, 0.3, 0.7, 0.8])
        XCTAssertEqual(curve.map(\.precision), [0.6, 0.75, 2.0 / 3, 1])
        XCTAssertEqual(curve.map(\.recall), [1, 1, 2.0 / 3, 1.0 / 3])
        // F1 per threshold: .8 → 2/4, .7 → 4/6, .3 → 6/7, .1 → 6/8. Best .3.
        let best = Metrics.bestF1Threshold(truth: t, scores: s)
        XCTAssertEqual(best.threshold, 0.3)
        XCTAssertEqual(best.f1, 6.0 / 7, accuracy: 1e-15)
        // ROC: (0,0), .8 (0, 1/3), .7 (1/2, 2/3), .3 (1/2, 1), .1 (1, 1);
        // AUC = 1/2·(1/3 + 2/3)/2 + 1/2·1 = 0.75.
        let roc = Metrics.rocCurve(truth: t, scores: s)
        XCTAssertEqual(roc.points.map(\.fpr), [0, 0, 0.5, 0.5, 1])
        XCTAssertEqual(roc.auc, 0.75, accuracy: 1e-15)
    }

    func testBestF1TieGoesToLowerThreshold() {
        // truth 1 0 1, scores .9 .5 .4: thresholds .9 → F1 2/3, .5 → 2/4, .4 → 4/5. Best .4.
        XCTAssertEqual(Metrics.bestF1Threshold(truth: [UInt8]([1, 0, 1]), scores: [0.9, 0.5, 0.4]).threshold, 0.4)
        // truth 1 0 0 1, scores .9 .8 .7 .6: .9 → 2/3; .8 → 2/4; .7 → 2/5; .6 → 4/6 = 2/3 (tie) → .6.
        let tie = Metrics.bestF1Threshold(truth: [UInt8]([1, 0, 0, 1]), scores: [0.9, 0.8, 0.7, 0.6])
        XCTAssertEqual(tie.threshold, 0.6)
        XCTAssertEqual(tie.f1, 2.0 / 3, accuracy: 1e-15)
    }

    func testMeanF1() {
        let a = BinaryMetrics(tp: 1, fp: 1, tn: 0, fn: 0)   // F1 2/3
        let b = BinaryMetrics(tp: 0, fp: 1, tn: 0, fn: 1)   // F1 0
        XCTAssertEqual(Metrics.meanF1([a, b]), 1.0 / 3, accuracy: 1e-15)
        XCTAssertEqual(Metrics.meanF1(truth: [[1, 0], [1, 0]], scores: [[0.9, 0.8], [0.1, 0.9]]), 1.0 / 3, accuracy: 1e-15)
    }

    // MARK: scikit-learn goldens

    func testAgainstSklearnAtThreshold05() {
        let m = BinaryMetrics(truth: golden.truth, scores: scores, threshold: 0.5)
        XCTAssertEqual(m.confusionMatrix, golden.at05.confusion)
        XCTAssertEqual(m.precision, golden.at05.precision, accuracy: 1e-15)
        XCTAssertEqual(m.recall, golden.at05.recall, accuracy: 1e-15)
        XCTAssertEqual(m.f1, golden.at05.f1, accuracy: 1e-15)
        XCTAssertEqual(m.accuracy, golden.at05.accuracy, accuracy: 1e-15)
    }

    func testAgainstSklearnAveragePrecisionAndCurves() {
        XCTAssertEqual(Metrics.averagePrecision(truth: golden.truth, scores: scores), golden.averagePrecision, accuracy: 1e-12)
        let curve = Metrics.precisionRecallCurve(truth: golden.truth, scores: scores)
        // scikit-learn appends (precision 1, recall 0) without a threshold.
        XCTAssertEqual(curve.map { Double($0.threshold) }, golden.pr.thresholds)
        XCTAssertEqual(curve.map(\.precision) + [1], golden.pr.precision)
        XCTAssertEqual(curve.map(\.recall) + [0], golden.pr.recall)
        let roc = Metrics.rocCurve(truth: golden.truth, scores: scores)
        XCTAssertEqual(roc.points.map(\.fpr), golden.roc.fpr)
        XCTAssertEqual(roc.points.map(\.tpr), golden.roc.tpr)
        XCTAssertEqual(roc.auc, golden.auc, accuracy: 1e-12)
        let best = Metrics.bestF1Threshold(truth: golden.truth, scores: scores)
        XCTAssertEqual(Double(best.threshold), golden.bestF1.threshold)
        XCTAssertEqual(best.f1, golden.bestF1.f1, accuracy: 1e-12)
    }
}
