#!/usr/bin/env python3
"""Checks the ONNX files that `report export --onnx` writes.

For every <name>.onnx in the given folders (or files):
  1. onnx.checker.check_model(model, full_check=True)  (structure, opset, strict shape inference);
  2. if <name>.io.json is beside it: runs the model in onnxruntime (CPU) on the inputs stored
     there, on the whole batch and on the first input alone (the batch axis is dynamic), and
     compares with our engine's outputs stored there: the largest absolute difference must be
     at most --tolerance (default 1e-5).
Prints one line per model and a closing 'N passed, N failed' line; exits 1 if any failed.

The first run creates a virtual environment (default .venv-onnx in the repository, git-ignored;
set ONNX_CHECK_VENV to put it elsewhere) and installs onnx, onnxruntime and numpy from PyPI
into it, then re-runs itself there. Nothing here is a run-time dependency of the Swift program.

Usage: scripts/onnx-check.py DIR_OR_FILE [...] [--tolerance 1e-5]
"""
import argparse
import json
import os
import subprocess
import sys
import venv

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV = os.environ.get("ONNX_CHECK_VENV", os.path.join(REPO, ".venv-onnx"))
PACKAGES = ["onnx", "onnxruntime", "numpy"]


def venv_python():
    return os.path.join(VENV, "bin", "python")


def ensure_environment():
    """Re-executes this script inside the venv, creating it first if needed."""
    if os.path.realpath(sys.prefix) == os.path.realpath(VENV):
        return
    python = venv_python()
    if not os.path.exists(python):
        print(f"creating {VENV} and installing {' '.join(PACKAGES)} (first run only)", file=sys.stderr)
        venv.EnvBuilder(with_pip=True).create(VENV)
        subprocess.check_call([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"] + PACKAGES)
    os.execv(python, [python, os.path.abspath(__file__)] + sys.argv[1:])


def load_sidecar(json_path):
    import numpy as np
    with open(json_path) as f:
        header = json.load(f)
    if header.get("dtype") != "float32" or header.get("byte_order") != "little":
        raise ValueError(f"{json_path}: expected float32 little-endian arrays, header says {header.get('dtype')} {header.get('byte_order')}")
    folder = os.path.dirname(json_path)

    def array(entry):
        path = os.path.join(folder, entry["file"])
        values = np.fromfile(path, dtype="<f4")
        shape = tuple(entry["shape"])
        if values.size != int(np.prod(shape)):
            raise ValueError(f"{path}: {values.size} floats, shape {list(shape)} needs {int(np.prod(shape))}")
        return values.reshape(shape)

    return array(header["input"]), array(header["output"])


def check(path, tolerance):
    """Returns (ok, message)."""
    import numpy as np
    import onnx
    import onnxruntime as ort

    model = onnx.load(path)
    try:
        onnx.checker.check_model(model, full_check=True)
    except Exception as e:  # onnx.checker.ValidationError, shape inference errors
        return False, f"checker: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else e}"
    opset = max(o.version for o in model.opset_import if o.domain in ("", "ai.onnx"))
    ops = sorted({n.op_type for n in model.graph.node})
    params = sum(int(np.prod(t.dims)) for t in model.graph.initializer if t.data_type == onnx.TensorProto.FLOAT)
    summary = f"opset {opset}, {len(model.graph.node)} nodes ({', '.join(ops)}), {params} float weights"

    sidecar = path[: -len(".onnx")] + ".io.json"
    if not os.path.exists(sidecar):
        return True, f"checker ok; {summary}; no {os.path.basename(sidecar)}, outputs not compared"
    x, expected = load_sidecar(sidecar)
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    got = session.run(["output"], {"input": x})[0]
    if got.shape != expected.shape:
        return False, f"onnxruntime output shape {list(got.shape)} ≠ ours {list(expected.shape)}"
    single = session.run(["output"], {"input": x[:1]})[0]
    diff = float(np.max(np.abs(got.astype(np.float64) - expected.astype(np.float64))))
    diff1 = float(np.max(np.abs(single.astype(np.float64) - expected[:1].astype(np.float64))))
    worst = max(diff, diff1)
    ok = bool(np.isfinite(got).all()) and worst <= tolerance
    verdict = "ok" if ok else f"FAILED (> {tolerance:g})"
    return ok, (f"checker ok; {summary}; onnxruntime vs ours on {x.shape[0]} inputs: "
                f"max |diff| {diff:.3g} (batch), {diff1:.3g} (batch of 1), outputs in "
                f"[{float(expected.min()):.4g}, {float(expected.max()):.4g}] — {verdict}")


def main():
    ensure_environment()
    import onnx
    import onnxruntime as ort

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", help="folders holding .onnx files, or .onnx files")
    parser.add_argument("--tolerance", type=float, default=1e-5, help="largest allowed max |difference| (default 1e-5)")
    args = parser.parse_args()

    files = []
    for p in args.paths:
        if os.path.isdir(p):
            files += sorted(os.path.join(p, f) for f in os.listdir(p) if f.endswith(".onnx"))
        elif p.endswith(".onnx") and os.path.isfile(p):
            files.append(p)
        else:
            print(f"error: {p}: not a folder or an .onnx file", file=sys.stderr)
            return 2
    if not files:
        print(f"error: no .onnx files in {' '.join(args.paths)}", file=sys.stderr)
        return 2

    print(f"onnx {onnx.__version__}, onnxruntime {ort.__version__}")
    passed = failed = 0
    for f in files:
        try:
            ok, message = check(f, args.tolerance)
        except Exception as e:
            ok, message = False, f"{type(e).__name__}: {e}"
        print(f"{os.path.basename(f)}: {message}")
        passed += ok
        failed += not ok
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
