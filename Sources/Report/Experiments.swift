import NN
import StudyData

extension Architecture {
    /// Whether the architecture can be built for size×size×channels input.
    func accepts(size: Int, channels: Int) -> Bool {
        (try? build(head: .joint, inputShape: inputShape(channels: channels, size: size), seed: 0)) != nil
    }
}

/// One comparison of the study: a question, the variants that answer it, and how to label
/// each variant in its table.
public struct Experiment: Sendable {
    public var id: String
    public var title: String
    public var question: String
    public var rows: [(label: String, variant: Variant)]
}

extension StudyConfig {
    /// The base variant of the main comparison for an architecture.
    func gridVariant(_ arch: Architecture) -> Variant {
        var v = Variant(architecture: arch, head: gridHead, epochs: epochs, batchSize: batchSize, learningRate: learningRate,
                optimizer: "adam", momentum: 0, loss: .binaryCrossEntropy, augment: augment, blackPolicy: blackPolicy,
                channels: 0, size: 64, trainLimit: trainLimit, callbacks: callbacks, classWeighting: classWeighting,
                seed: seed)
        v.channels = v.effectiveChannels  // spell it out, so equal runs get equal cache keys
        return v
    }

    /// The base variant of the hyper-parameter experiments: the experiment model, joint head.
    var experimentBase: Variant {
        var v = gridVariant(experimentModel)
        v.head = .joint
        v.epochs = experimentEpochs
        return v
    }

    /// The study's experiment plan (issue: experiments 1–5; 6 — thresholds — is read off every
    /// evaluation). Variants repeat across experiments on purpose: equal variants share one
    /// cache key and so train once.
    public var experiments: [Experiment] {
        let base = experimentBase
        func with(_ f: (inout Variant) -> Void) -> Variant { var v = base; f(&v); return v }
        var list: [Experiment] = []
        list.append(Experiment(
            id: "architectures", title: "All eight architectures",
            question: "Which architecture scores the best mean F1 on validation?",
            rows: models.map { ($0.rawValue, gridVariant($0)) }))
        list.append(Experiment(
            id: "heads", title: "One network per label vs one joint network",
            question: "Does one multi-label network do as well as three single-label ones?",
            rows: [("one network per label", with { $0.head = .perLabel }), ("one joint network", base)]))
        list.append(Experiment(
            id: "epochs", title: "Number of epochs",
            question: "How does validation F1 change with the number of epochs?",
            rows: curveEpochs.map { e in ("\(e) epochs", with { $0.epochs = e }) }))
        list.append(Experiment(
            id: "learning-rate", title: "Learning rate",
            question: "Which Adam learning rate works best?",
            rows: learningRates.map { lr in ("\(Variant.format(lr))", with { $0.learningRate = lr }) }))
        list.append(Experiment(
            id: "optimizer", title: "Adam vs SGD",
            question: "Is Adam better than plain SGD at the same learning rate?",
            rows: [("Adam", base), ("SGD", with { $0.optimizer = "sgd" }), ("SGD, momentum 0.9", with { $0.optimizer = "sgd"; $0.momentum = 0.9 })]))
        list.append(Experiment(
            id: "loss", title: "Binary vs categorical cross-entropy",
            question: "Does the loss matter for the study's 2-unit softmax heads?",
            rows: [("binary cross-entropy", with { $0.head = .perLabel }),
                   ("categorical cross-entropy", with { $0.head = .perLabel; $0.loss = .categoricalCrossEntropy })]))
        list.append(Experiment(
            id: "augmentation", title: "Augmentation",
            question: "Does the study's augmentation stream, applied on the fly, improve validation F1?",
            rows: [("off", with { $0.augment = false }), ("on", with { $0.augment = true })]))
        list.append(Experiment(
            id: "black-policy", title: "Black-image policy",
            question: "Does removing the black training images (which carry random labels) help?",
            rows: BlackPolicy.allCases.map { p in (p.rawValue, with { $0.blackPolicy = p }) }))
        list.append(Experiment(
            id: "channels", title: "1 vs 3 input channels",
            question: "Does feeding the grey image as three identical channels change anything?",
            rows: [("1 channel", with { $0.channels = 1 }), ("3 channels", with { $0.channels = 3 })]))
        // Not every architecture takes 32×32 input (conv4 and conv5 shrink below 1 pixel);
        // then the comparison runs on conv2, which does.
        var resolutionBase = base
        if !experimentModel.accepts(size: 32, channels: base.effectiveChannels) {
            resolutionBase = gridVariant(.conv2)
            resolutionBase.head = .joint
            resolutionBase.epochs = experimentEpochs
        }
        let small = { () -> Variant in var v = resolutionBase; v.size = 32; return v }()
        list.append(Experiment(
            id: "resolution", title: "64 vs 32 pixels",
            question: "How much does downsizing to 32×32 cost?",
            rows: [("64×64 (\(resolutionBase.architecture.rawValue))", resolutionBase),
                   ("32×32 (\(resolutionBase.architecture.rawValue))", small)]))
        return list.filter { $0.id == "architectures" || experimentIds.contains($0.id) }
    }
}
