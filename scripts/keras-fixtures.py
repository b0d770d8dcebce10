#!/usr/bin/env python3
"""Writes the Keras-JSON fixtures of Tests/ModelSpecTests/Fixtures/keras/ with real Keras.

Each fixture is a small JSON file: what `model.to_json()` wrote (as text, untouched),
Keras's `count_params()` split into trainable and non-trainable, the "Total params" line
of `model.summary()`, and each layer's name, class, output shape (batch axis dropped) and
parameter count. The Swift tests (ModelSpecTests/KerasJSONTests) parse `to_json` with
`ModelSpec.parse(kerasJSON:)` and compare with the rest.

Keras 3 spellings come from `keras` (tensorflow-cpu 2.16+), Keras 2 spellings from
`tf_keras` (the Keras 2 package), when it is installed. Run once, commit the output:

    python3 -m venv /tmp/kvenv-arch && /tmp/kvenv-arch/bin/pip install tensorflow-cpu tf-keras
    /tmp/kvenv-arch/bin/python scripts/keras-fixtures.py Tests/ModelSpecTests/Fixtures/keras

The models: the study's eight as the anchors define them (../shared/anchors/keras_zoo.py,
per-label head; Keras 3 only, conv2 and lstm1 also in Keras 2), plus two small custom
models that use every layer type the engine has with non-default options (rectangular
kernels and strides, no bias, BN momentum/epsilon, a separate Activation, a joint
Dense(3, sigmoid) head, an LSTM without return_sequences).
"""
import io, json, os, sys, contextlib
import numpy as np
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def zoo(keras, out=2):
    """The study's eight, as ../shared/anchors/keras_zoo.py defines them (per-label head)."""
    L = keras.layers

    def conv(option, input_shape=(64, 64, 3), act="softmax"):
        m = keras.Sequential(name=f"conv{option}")
        if option == 1:
            m.add(keras.Input((64, 64, 1)))
            m.add(L.Conv2D(256, 3, activation="relu")); m.add(L.MaxPool2D(3, 3))
            m.add(L.Flatten()); m.add(L.Dense(256, activation="relu")); m.add(L.Dense(out, activation="sigmoid"))
        elif option == 2:
            m.add(keras.Input(input_shape))
            m.add(L.Conv2D(25, 5, activation="relu", padding="same")); m.add(L.MaxPool2D(2, padding="same"))
            m.add(L.Conv2D(50, 5, strides=2, activation="relu", padding="same")); m.add(L.MaxPool2D(2, padding="same"))
            m.add(L.BatchNormalization())
            m.add(L.Conv2D(70, 3, strides=2, activation="relu", padding="same")); m.add(L.MaxPool2D(2, padding="valid"))
            m.add(L.BatchNormalization()); m.add(L.Flatten())
            m.add(L.Dense(100, activation="relu")); m.add(L.Dense(100, activation="relu")); m.add(L.Dropout(0.25))
            m.add(L.Dense(out, activation=act))
        elif option == 3:
            m.add(keras.Input(input_shape))
            m.add(L.Conv2D(50, 3, padding="same", activation="relu"))
            m.add(L.Conv2D(75, 3, padding="same", activation="relu")); m.add(L.MaxPool2D(2)); m.add(L.Dropout(0.25))
            m.add(L.Conv2D(125, 3, padding="same", activation="relu")); m.add(L.MaxPool2D(2)); m.add(L.Dropout(0.25))
            m.add(L.Flatten()); m.add(L.Dense(500, activation="relu")); m.add(L.Dropout(0.4))
            m.add(L.Dense(250, activation="relu")); m.add(L.Dropout(0.3)); m.add(L.Dense(out, activation=act))
        elif option == 4:
            m.add(keras.Input(input_shape))
            m.add(L.Conv2D(32, 5, activation="relu")); m.add(L.MaxPool2D(5))
            m.add(L.Conv2D(64, 5, activation="relu")); m.add(L.MaxPool2D(5))
            m.add(L.Flatten()); m.add(L.Dense(1024, activation="relu")); m.add(L.Dropout(0.8))
            m.add(L.Dense(out, activation=act))
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
            m.add(L.Dense(out, activation=act))
        return m

    def lstm1():
        return keras.Sequential([keras.Input((64, 64)), L.LSTM(128, return_sequences=True),
                                 L.LSTM(128, return_sequences=True), L.Flatten(),
                                 L.Dense(64, activation="relu"), L.Dense(out, activation="softmax")], name="lstm1")

    def fc(option):
        m = keras.Sequential([keras.Input((4096,))], name=f"fc{option}")
        if option == 1:
            m.add(L.Dense(256, activation="relu")); m.add(L.Dense(256, activation="relu"))
            m.add(L.Dense(out, activation="sigmoid"))
        else:
            m.add(L.Dense(256)); m.add(L.Dense(100, activation="relu")); m.add(L.Dropout(0.5))
            m.add(L.BatchNormalization()); m.add(L.Dense(out, activation="softmax"))
        return m

    models = {f"conv{i}": (lambda i=i: conv(i)) for i in range(1, 6)}
    models["lstm1"] = lstm1
    models["fc1"] = lambda: fc(1)
    models["fc2"] = lambda: fc(2)
    return models


def custom_models(keras):
    L = keras.layers

    def custom():
        return keras.Sequential([
            keras.Input((28, 20, 2)),
            L.Conv2D(8, (3, 5), strides=(1, 2), padding="valid", use_bias=False, name="stem"),
            L.BatchNormalization(momentum=0.9, epsilon=1e-5),
            L.Activation("relu"),
            L.MaxPooling2D(pool_size=(2, 3), strides=(2, 1), padding="same"),
            L.Conv2D(12, 3, padding="same", activation="sigmoid"),
            L.MaxPooling2D(),
            L.Dropout(0.1),
            L.Flatten(),
            L.Dense(10, activation="relu", use_bias=False),
            L.Dense(3, activation="sigmoid", name="labels"),
        ], name="custom")

    def recurrent_tail():
        return keras.Sequential([keras.Input((10, 6)), L.LSTM(5), L.Dense(2, activation="sigmoid")], name="lstm_tail")

    def input_shape_argument():
        # The older way to give the input: input_shape= on the first layer (Keras 2 then
        # writes batch_input_shape on the InputLayer and on that layer).
        return keras.Sequential([L.Dense(3, activation="relu", input_shape=(5,)),
                                 L.Dense(2, activation="softmax")], name="input_arg")

    return {"custom": custom, "lstm_tail": recurrent_tail, "input_arg": input_shape_argument}


def models(keras, flavour):
    """Keras 3: the eight and the custom ones; Keras 2: conv2, lstm1 and the custom ones."""
    z = zoo(keras)
    chosen = z if flavour == "keras3" else {k: z[k] for k in ("conv2", "lstm1")}
    return {**chosen, **custom_models(keras)}


def describe(keras, model, flavour):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        model.summary(line_length=120)
    total_line = next((l.strip() for l in out.getvalue().splitlines() if "Total params" in l), None)
    trainable = int(sum(int(np.prod(w.shape)) for w in model.trainable_weights))
    total = int(model.count_params())
    layers = [{"name": l.name, "class_name": type(l).__name__, "output": list(l.output.shape[1:]),
               "params": int(l.count_params())} for l in model.layers]
    return {"generator": f"scripts/keras-fixtures.py, {flavour} {keras.__version__}",
            "keras_version": keras.__version__, "params": total, "trainable_params": trainable,
            "non_trainable_params": total - trainable, "total_params_line": total_line,
            "layers": layers, "to_json": model.to_json()}


def write(folder, flavour, keras):
    for name, make in models(keras, flavour).items():
        model = make()
        path = os.path.join(folder, f"{flavour}-{name}.json")
        with open(path, "w") as f:
            json.dump(describe(keras, model, flavour), f, indent=1)
            f.write("\n")
        print("wrote", path, model.count_params(), "params")


if __name__ == "__main__":
    folder = sys.argv[1] if len(sys.argv) > 1 else "Tests/ModelSpecTests/Fixtures/keras"
    os.makedirs(folder, exist_ok=True)
    import keras
    write(folder, "keras3", keras)
    try:
        import tf_keras
    except ImportError:
        print("tf_keras not installed: no Keras 2 fixtures (pip install tf-keras)")
    else:
        write(folder, "keras2", tf_keras)
