"""Reads or writes a safetensors file with torch, struct and json only, following the format's spec
(https://huggingface.co/docs/safetensors) independently of the C# implementation: Debian ships no
`safetensors` Python package.

Input {"mode": "read", "path": p}: parses p and describes every tensor.
Input {"mode": "write", "path": p}: writes fixed tensors to p the way the Rust reference orders them
(by element size, largest first, then by name; non-ASCII names escaped by json.dumps) and describes them.

A description: {"header_length", "header", "metadata", "tensors": {name: {"dtype", "shape",
"data_offsets", "bits"}}}. "bits" lists the elements row-major as integers: floating-point values as
their IEEE bit patterns (so NaN, -0.0 and subnormals compare exactly), booleans as 0/1.
"""
import json
import struct
import sys

import torch

DTYPES = {
    "BOOL": torch.bool, "U8": torch.uint8, "I8": torch.int8, "I16": torch.int16, "I32": torch.int32,
    "I64": torch.int64, "F16": torch.float16, "BF16": torch.bfloat16, "F32": torch.float32, "F64": torch.float64,
}
NAMES = {v: k for k, v in DTYPES.items()}
SAME_SIZE_INT = {torch.float16: torch.int16, torch.bfloat16: torch.int16, torch.float32: torch.int32,
                 torch.float64: torch.int64, torch.bool: torch.uint8}


def bits(t):
    flat = t.reshape(-1)
    if t.dtype in SAME_SIZE_INT:
        flat = flat.view(SAME_SIZE_INT[t.dtype]) if t.dtype != torch.bool else flat.to(torch.uint8)
    return flat.tolist()


def load(path):
    """The tensors of a safetensors file by name (used by the other reference scripts)."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    header.pop("__metadata__", None)
    buffer = data[8 + n:]
    out = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        dtype = DTYPES[info["dtype"]]
        t = torch.frombuffer(bytearray(buffer[begin:end]), dtype=dtype) if end > begin else torch.empty(0, dtype=dtype)
        out[name] = t.reshape(info["shape"]).clone()
    return out


def read(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    assert 8 + n <= len(data), "header length beyond the file"
    header_text = data[8:8 + n].decode("utf-8")
    assert header_text.startswith("{"), "header must start with {"
    header = json.loads(header_text)
    metadata = header.pop("__metadata__", {})
    buffer = data[8 + n:]
    tensors = {}
    covered = 0
    for name, info in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"]):
        begin, end = info["data_offsets"]
        assert begin == covered, f"{name}: hole or overlap at {begin}, expected {covered}"
        covered = end
        dtype = DTYPES[info["dtype"]]
        if end > begin:
            t = torch.frombuffer(bytearray(buffer[begin:end]), dtype=dtype)
        else:
            t = torch.empty(0, dtype=dtype)
        t = t.reshape(info["shape"])
        assert t.numel() * t.element_size() == end - begin, f"{name}: size mismatch"
        tensors[name] = {"dtype": info["dtype"], "shape": list(t.shape), "data_offsets": [begin, end], "bits": bits(t)}
    assert covered == len(buffer), f"{len(buffer) - covered} trailing bytes"
    return {"header_length": n, "header": header_text, "metadata": metadata, "tensors": tensors}


def fixed_tensors():
    return {
        "a.f32": torch.tensor([[1.5, -2.25, 3.0], [0.1, -0.0, 1e-40]], dtype=torch.float32),
        "b.bf16": torch.tensor([1.0, -3.5, 0.1, 3.0e38], dtype=torch.bfloat16),
        "c.i64": torch.tensor([-(2 ** 63), 2 ** 63 - 1, 0, 42], dtype=torch.int64),
        "d.bool": torch.tensor([[True, False, True], [False, False, True]]),
        "e.scalar": torch.tensor(2.5, dtype=torch.float64),
        "f.empty": torch.zeros((0, 4), dtype=torch.float32),
        "g.f16": torch.tensor([0.5, -65504.0, 6e-8], dtype=torch.float16),
        "h.i32": torch.tensor([[-7], [2 ** 31 - 1]], dtype=torch.int32),
        "i.u8": torch.tensor([0, 255, 128], dtype=torch.uint8),
        "j.i8": torch.tensor([-128, 127], dtype=torch.int8),
        "k.i16": torch.tensor([-32768, 12345], dtype=torch.int16),
        "l.special": torch.tensor([float("inf"), float("-inf"), float("nan")], dtype=torch.float32),
        "\u00fcn\u00efcode.weight": torch.tensor([1.0, 2.0], dtype=torch.float32),
    }


def write(path):
    tensors = fixed_tensors()
    header = {"__metadata__": {"format": "pt", "written_by": "safetensors_io.py"}}
    blobs = []
    offset = 0
    for name in sorted(tensors, key=lambda k: (-tensors[k].element_size(), k)):
        t = tensors[name].contiguous()
        raw = t.reshape(-1).view(torch.uint8).numpy().tobytes() if t.numel() else b""
        header[name] = {"dtype": NAMES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    header_bytes = json.dumps(header, separators=(",", ":")).encode("utf-8")
    header_bytes += b" " * ((8 - len(header_bytes) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(header_bytes)))
        f.write(header_bytes)
        f.write(b"".join(blobs))
    meta = header.pop("__metadata__")
    return {"header_length": len(header_bytes), "header": header_bytes.decode("utf-8"), "metadata": meta,
            "tensors": {name: {"dtype": NAMES[t.dtype], "shape": list(t.shape), "data_offsets": header[name]["data_offsets"],
                               "bits": bits(t)} for name, t in tensors.items()}}


if __name__ == "__main__":
    request = json.load(sys.stdin)
    result = read(request["path"]) if request["mode"] == "read" else write(request["path"])
    json.dump(result, sys.stdout)
