#!/usr/bin/env python3
"""Trains the study's networks in Keras under the quick profile's protocol and scores them
with scikit-learn beside this engine's own predictions of the same validation images.

The parity tests show that our forward pass and gradients match Keras for the same weights;
this script checks the other half of "the numbers can be trusted": that training from
scratch under the same protocol ends in the same place — in particular that a network which
our report marks *collapsed* collapses in Keras too (then the data, not the engine, is why).

Protocol (the quick profile's, docs/configuration.md): joint head Dense(3, sigmoid),
binary cross-entropy with balanced per-label class weights w = N / (2·count), Adam 1e-3,
batch 32, pixels / 255, black training images dropped but one (labelled 0,0,0), a random
subset of N training images, E epochs, EarlyStopping(val_loss, patience 5, min_delta 0.001,
restore best weights) on 400 validation images that are not scored. Scored: the validation
images of `output/predictions/<run>.csv` that are not black (rule = 0), F1 at 0.5 per label.

    python3 -m venv /tmp/kvenv && /tmp/kvenv/bin/pip install tensorflow-cpu scikit-learn pillow
    /tmp/kvenv/bin/python scripts/keras-train-check.py --data data/phantom --output output \\
        --check conv4=conv4-joint-e4-n9000:9000x4 --check fc1=fc1-joint:9000x4 --seeds 2024 2025

Each --check is ARCH=RUN:IMAGESxEPOCHS, RUN being the file name (without .csv) under
OUTPUT/predictions and IMAGES×EPOCHS what the report's "Training budget" table says it had.
With --mlp, the first check also shows a pixel-level baseline: scikit-learn's two-layer MLP on
16×16 area-averaged pixels, trained on every kept training image. Prints, per check, ours and Keras's per-label F1 at 0.5, average precision and mean predicted
probability on the same images (one Keras row per seed).
"""
import argparse, csv, os, sys
import numpy as np
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "keras"))


def read_split(data, split):
    from PIL import Image
    rows = list(csv.DictReader(open(os.path.join(data, f"{split}_labels.csv"), newline="")))
    ids = [r["id"].strip() for r in rows]
    x = np.stack([np.asarray(Image.open(os.path.join(data, f"{split}_images", i)).convert("L"), dtype=np.float32) / 255
                  for i in ids])
    y = np.array([[int(r[f"label{k}"]) for k in (1, 2, 3)] for r in rows], np.float32)
    return ids, x, y


def model_for(keras, arch):
    """The anchors' architecture with the joint head: the last Dense gets 3 sigmoid units."""
    import keras_zoo as zoo
    builders = {"conv1": lambda: zoo.conv(1, out=3), "conv2": lambda: zoo.conv(2, out=3),
                "conv3": lambda: zoo.conv(3, out=3), "conv4": lambda: zoo.conv(4, out=3),
                "conv5": lambda: zoo.conv(5, out=3), "lstm1": lambda: zoo.lstm(out=3),
                "fc1": lambda: zoo.fc(1, out=3), "fc2": lambda: zoo.fc(2, out=3)}
    m = builders[arch]()
    m.layers[-1].activation = keras.activations.sigmoid
    return m


def shaped(arch, x):
    if arch == "conv1":
        return x[..., None]
    if arch.startswith("conv"):
        return np.repeat(x[..., None], 3, axis=-1)
    if arch == "lstm1":
        return x
    return x.reshape(len(x), -1)


def scores(y, p):
    """Per label: F1 at 0.5, average precision, mean predicted probability."""
    from sklearn.metrics import f1_score, average_precision_score
    f = [f1_score(y[:, k], p[:, k] >= 0.5, zero_division=0) for k in range(3)]
    ap = [average_precision_score(y[:, k], p[:, k]) for k in range(3)]
    return f, ap, p.mean(0)


def line(name, y, p):
    f, ap, mp = scores(y, p)
    return (f"  {name:<16} F1 {f[0]:.3f} {f[1]:.3f} {f[2]:.3f} mean {np.mean(f):.3f}"
            f" | AP {ap[0]:.3f} {ap[1]:.3f} {ap[2]:.3f} mean {np.mean(ap):.3f}"
            f" | mean p {mp[0]:.2f} {mp[1]:.2f} {mp[2]:.2f}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", required=True)
    ap.add_argument("--output", required=True, help="the report's output folder (predictions/)")
    ap.add_argument("--check", action="append", required=True, help="ARCH=RUN:IMAGESxEPOCHS")
    ap.add_argument("--seeds", type=int, nargs="+", default=[2024])
    ap.add_argument("--mlp", action="store_true",
                    help="also scikit-learn's MLPClassifier((256, 256)) on 16×16 area-averaged pixels, per seed")
    args = ap.parse_args()

    import keras, tensorflow as tf
    tr_ids, xt, yt = read_split(args.data, "train")
    va_ids, xv, yv = read_split(args.data, "val")
    black = xt.reshape(len(xt), -1).max(1) == 0
    keep = ~black
    if black.any():
        first = int(np.argmax(black)); keep[first] = True; yt[first] = 0
    xt, yt = xt[keep], yt[keep]
    val_pos = {i: k for k, i in enumerate(va_ids)}

    for spec in args.check:
        arch, rest = spec.split("=", 1)
        run, size = rest.rsplit(":", 1)
        n, epochs = (int(v) for v in size.lower().split("x"))
        preds = list(csv.DictReader(open(os.path.join(args.output, "predictions", f"{run}.csv"), newline="")))
        scored = [val_pos[r["id"]] for r in preds if r["rule"] == "0"]
        ours = np.array([[float(r[f"p{k}"]) for k in (1, 2, 3)] for r in preds if r["rule"] == "0"])
        taken = set(val_pos[r["id"]] for r in preds)
        monitor = [k for k in range(len(va_ids)) if k not in taken and xv[k].max() > 0][:400]
        ys = yv[scored]
        print(f"{arch} ({run}, {n:,} images × {epochs} epochs), {len(scored):,} non-black validation images")
        print(line("ours", ys, ours), flush=True)
        if args.mlp and spec == args.check[0]:
            from sklearn.neural_network import MLPClassifier
            def small(x):
                return x.reshape(len(x), 16, 4, 16, 4).mean((2, 4)).reshape(len(x), -1)
            for seed in args.seeds:
                mlp = MLPClassifier((256, 256), max_iter=40, random_state=seed).fit(small(xt), yt)
                print(line(f"MLP 16×16 {seed}", ys, mlp.predict_proba(small(xv[scored]))), flush=True)
        for seed in args.seeds:
            keras.utils.set_random_seed(seed)
            pick = np.random.default_rng(seed).permutation(len(xt))[:min(n, len(xt))]
            x, y = shaped(arch, xt[pick]), yt[pick]
            pos = y.mean(0).clip(1e-6, 1 - 1e-6)
            wpos = tf.constant(1 / (2 * pos), tf.float32); wneg = tf.constant(1 / (2 * (1 - pos)), tf.float32)

            def weighted_bce(t, p):
                p = tf.clip_by_value(p, 1e-7, 1 - 1e-7)
                w = t * wpos + (1 - t) * wneg
                return tf.reduce_mean(-w * (t * tf.math.log(p) + (1 - t) * tf.math.log(1 - p)), axis=-1)

            m = model_for(keras, arch)
            m.compile(keras.optimizers.Adam(1e-3), weighted_bce)
            stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=5, min_delta=0.001, restore_best_weights=True)
            m.fit(x, y, batch_size=32, epochs=epochs, verbose=0, callbacks=[stop],
                  validation_data=(shaped(arch, xv[monitor]), yv[monitor]))
            p = m.predict(shaped(arch, xv[scored]), batch_size=256, verbose=0)
            print(line(f"Keras seed {seed}", ys, p), flush=True)


if __name__ == "__main__":
    main()
