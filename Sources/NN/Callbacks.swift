/// Keras's `EarlyStopping(monitor="val_loss", mode="min")`: an epoch improves when
/// `valLoss < best − minDelta`; after `patience` epochs in a row without improvement training
/// stops. With `restoreBestWeights` the weights of the best epoch are put back at the end of
/// training (Keras 3 restores in `on_train_end`, whether or not training stopped early).
public struct EarlyStopping: Codable, Sendable, Equatable {
    public var patience: Int
    public var minDelta: Double
    public var restoreBestWeights: Bool

    public init(patience: Int = 5, minDelta: Double = 0.001, restoreBestWeights: Bool = true) {
        precondition(patience >= 0, "EarlyStopping: patience must be ≥ 0, got \(patience)")
        precondition(minDelta >= 0, "EarlyStopping: minDelta must be ≥ 0, got \(minDelta)")
        self.patience = patience
        self.minDelta = minDelta
        self.restoreBestWeights = restoreBestWeights
    }
}

/// Keras's `ReduceLROnPlateau(monitor="val_loss", mode="min")`. At each epoch end:
///
///     if cooldownCounter > 0: cooldownCounter −= 1; wait = 0
///     if valLoss < best − minDelta: best = valLoss; wait = 0
///     else if cooldownCounter == 0:
///         wait += 1
///         if wait ≥ patience and Float(lr) > Float(minLR):
///             lr = max(lr · factor, minLR); cooldownCounter = cooldown; wait = 0
///
/// The learning-rate comparison is in Float32, as Keras's. The study's settings
/// (`minLR` = 1e-3 = its learning rate) therefore never reduce — faithfully.
public struct ReduceLROnPlateau: Codable, Sendable, Equatable {
    public var patience: Int
    public var factor: Double
    public var minLR: Double
    /// Keras's `min_delta` (default 1e-4).
    public var minDelta: Double
    /// Keras's `cooldown` (default 0).
    public var cooldown: Int

    public init(patience: Int = 0, factor: Double = 0.2, minLR: Double = 0.001,
                minDelta: Double = 1e-4, cooldown: Int = 0) {
        precondition(factor > 0 && factor < 1, "ReduceLROnPlateau: factor must be in (0, 1), got \(factor)")
        precondition(patience >= 0 && cooldown >= 0, "ReduceLROnPlateau: patience and cooldown must be ≥ 0")
        self.patience = patience
        self.factor = factor
        self.minLR = minLR
        self.minDelta = minDelta
        self.cooldown = cooldown
    }
}

/// The running state of `EarlyStopping`, fed one validation loss per epoch.
public struct EarlyStoppingMonitor: Sendable {
    public enum Decision: Equatable, Sendable {
        /// A new best: snapshot the weights if restoring.
        case improved
        /// No improvement yet within patience.
        case keepGoing
        /// Patience exhausted: stop training.
        case stop
    }

    public let settings: EarlyStopping
    public private(set) var best: Double = .infinity
    /// 1-based epoch of the best validation loss so far.
    public private(set) var bestEpoch: Int?
    public private(set) var wait = 0

    public init(_ settings: EarlyStopping) { self.settings = settings }

    /// Keras's `on_epoch_end` for epoch `epoch` (1-based).
    public mutating func update(epoch: Int, valLoss: Double) -> Decision {
        wait += 1
        if valLoss < best - settings.minDelta {
            best = valLoss
            bestEpoch = epoch
            wait = 0
            return .improved
        }
        // Keras also requires epoch > 0 (0-based), i.e. never stops after the first epoch.
        return wait >= settings.patience && epoch > 1 ? .stop : .keepGoing
    }
}

/// The running state of `ReduceLROnPlateau`, fed one validation loss per epoch.
public struct ReduceLROnPlateauMonitor: Sendable {
    public let settings: ReduceLROnPlateau
    public private(set) var best: Double = .infinity
    public private(set) var wait = 0
    public private(set) var cooldownCounter = 0

    public init(_ settings: ReduceLROnPlateau) { self.settings = settings }

    /// Keras's `on_epoch_end`: returns the learning rate for the next epoch.
    public mutating func update(valLoss: Double, learningRate lr: Double) -> Double {
        if cooldownCounter > 0 { cooldownCounter -= 1; wait = 0 }
        if valLoss < best - settings.minDelta {
            best = valLoss
            wait = 0
        } else if cooldownCounter == 0 {   // re-checked after the decrement, as Keras does
            wait += 1
            if wait >= settings.patience, Float(lr) > Float(settings.minLR) {
                cooldownCounter = settings.cooldown
                wait = 0
                return max(lr * settings.factor, settings.minLR)
            }
        }
        return lr
    }
}
