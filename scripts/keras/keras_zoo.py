"""Reference (anchor) implementations of the study's eight architectures in Keras,
used to measure shapes, parameter counts and CPU training throughput side by side
with the project. A copy of the study's Keras anchor, kept here so that the parity
check in docs/weights.md and Tests/NNTests/Fixtures/keras_summary.json (`summary`) can be
reproduced from a clone."""
import os, sys, time, json
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np
import keras
from keras import layers as L

def conv(option, input_shape=(64, 64, 3), out=2, act="sigmoid"):
    m = keras.Sequential()
    if option == 1:
        m.add(keras.Input((64, 64, 1)))
        m.add(L.Conv2D(256, 3, activation="relu")); m.add(L.MaxPool2D(3, 3))
        m.add(L.Flatten()); m.add(L.Dense(256, activation="relu")); m.add(L.Dense(out, activation=act))
    elif option == 2:
        m.add(keras.Input(input_shape))
        m.add(L.Conv2D(25, 5, activation="relu", padding="same")); m.add(L.MaxPool2D(2, padding="same"))
        m.add(L.Conv2D(50, 5, strides=2, activation="relu", padding="same")); m.add(L.MaxPool2D(2, padding="same"))
        m.add(L.BatchNormalization())
        m.add(L.Conv2D(70, 3, strides=2, activation="relu", padding="same")); m.add(L.MaxPool2D(2, padding="valid"))
        m.add(L.BatchNormalization()); m.add(L.Flatten())
        m.add(L.Dense(100, activation="relu")); m.add(L.Dense(100, activation="relu")); m.add(L.Dropout(0.25))
        m.add(L.Dense(out, activation="softmax"))
    elif option == 3:
        m.add(keras.Input(input_shape))
        m.add(L.Conv2D(50, 3, padding="same", activation="relu"))
        m.add(L.Conv2D(75, 3, padding="same", activation="relu")); m.add(L.MaxPool2D(2)); m.add(L.Dropout(0.25))
        m.add(L.Conv2D(125, 3, padding="same", activation="relu")); m.add(L.MaxPool2D(2)); m.add(L.Dropout(0.25))
        m.add(L.Flatten()); m.add(L.Dense(500, activation="relu")); m.add(L.Dropout(0.4))
        m.add(L.Dense(250, activation="relu")); m.add(L.Dropout(0.3)); m.add(L.Dense(out, activation="softmax"))
    elif option == 4:
        m.add(keras.Input(input_shape))
        m.add(L.Conv2D(32, 5, activation="relu")); m.add(L.MaxPool2D(5))
        m.add(L.Conv2D(64, 5, activation="relu")); m.add(L.MaxPool2D(5))
        m.add(L.Flatten()); m.add(L.Dense(1024, activation="relu")); m.add(L.Dropout(0.8))
        m.add(L.Dense(out, activation="softmax"))
    elif option == 5:
        m.add(keras.Input(input_shape))
        m.add(L.Conv2D(32, 3, padding="same", activation="relu")); m.add(L.Conv2D(32, 3, activation="relu"))
        m.add(L.MaxPool2D(2)); m.add(L.Dropout(0.2))
        m.add(L.Conv2D(64, 3, padding="same", activation="relu")); m.add(L.Conv2D(64, 3, activation="relu"))
        m.add(L.MaxPool2D(2)); m.add(L.Dropout(0.2))
        m.add(L.Conv2D(128, 3, padding="same", activation="relu")); m.add(L.Conv2D(128, 3, activation="relu"))
        m.add(L.Activation("relu")); m.add(L.MaxPool2D(2)); m.add(L.Dropout(0.2))
        m.add(L.Conv2D(512, 5, padding="same", activation="relu")); m.add(L.Conv2D(512, 5, activation="relu"))
        m.add(L.MaxPool2D(4, padding="same")); m.add(L.Dropout(0.2))
        m.add(L.Flatten()); m.add(L.Dense(1024, activation="relu")); m.add(L.Dropout(0.2))
        m.add(L.Dense(out, activation="softmax"))
    return m

def lstm(out=2):
    m = keras.Sequential([keras.Input((64, 64)), L.LSTM(128, return_sequences=True), L.LSTM(128, return_sequences=True),
                          L.Flatten(), L.Dense(64, activation="relu"), L.Dense(out, activation="softmax")])
    return m

def fc(option, out=2):
    m = keras.Sequential([keras.Input((64, 64, 1))] if False else [keras.Input((4096,))])
    if option == 1:
        m.add(L.Dense(256, activation="relu")); m.add(L.Dense(256, activation="relu")); m.add(L.Dense(out, activation="sigmoid"))
    else:
        m.add(L.Dense(256)); m.add(L.Dense(100, activation="relu")); m.add(L.Dropout(0.5)); m.add(L.BatchNormalization())
        m.add(L.Dense(out, activation="softmax"))
    return m

ZOO = {f"conv{i}": (lambda i=i: conv(i)) for i in range(1, 6)}
ZOO["lstm1"] = lstm
ZOO["fc1"] = lambda: fc(1)
ZOO["fc2"] = lambda: fc(2)

def input_for(name, n):
    rng = np.random.default_rng(0)
    if name == "conv1": return rng.random((n, 64, 64, 1), dtype=np.float32)
    if name.startswith("conv"): return rng.random((n, 64, 64, 3), dtype=np.float32)
    if name == "lstm1": return rng.random((n, 64, 64), dtype=np.float32)
    return rng.random((n, 4096), dtype=np.float32)

def summary(name):
    m = ZOO[name]()
    rows = []
    for l in m.layers:
        rows.append({"type": type(l).__name__, "output": list(l.output.shape[1:]), "params": int(l.count_params())})
    return {"name": name, "params": int(m.count_params()), "layers": rows}

def throughput(name, n=512, batch=32, epochs=2):
    m = ZOO[name]()
    m.compile(optimizer=keras.optimizers.Adam(1e-3), loss="binary_crossentropy")
    x = input_for(name, n); y = keras.utils.to_categorical(np.random.default_rng(1).integers(0, 2, n), 2)
    m.fit(x, y, batch_size=batch, epochs=1, verbose=0)  # warm-up / graph build
    t = time.perf_counter(); m.fit(x, y, batch_size=batch, epochs=epochs, verbose=0); dt = time.perf_counter() - t
    return n * epochs / dt

if __name__ == "__main__":
    what = sys.argv[1]
    names = sys.argv[2:] or list(ZOO)
    if what == "summary":
        print(json.dumps([summary(n) for n in names], indent=1))
    elif what == "speed":
        for n in names:
            print(f"{n}\t{throughput(n):.1f} img/s", flush=True)
