#!/usr/bin/env python3
"""Writes the seed corpus for tests/fuzz/fuzz_gguf.c into tests/fuzz/corpus/gguf/ (three tiny files).
Usage: python3 tests/fuzz/gen_gguf_corpus.py [outdir]"""
import os, struct, sys

def s(x):
    b = x.encode() if isinstance(x, str) else x
    return struct.pack('<Q', len(b)) + b

def kv(key, t, payload):
    return s(key) + struct.pack('<I', t) + payload

def arr(et, items, fmt=None):
    if et == 8:
        body = b''.join(s(i) for i in items)
    else:
        body = b''.join(struct.pack('<' + fmt, i) for i in items)
    return struct.pack('<IQ', et, len(items)) + body

def tinfo(name, ne, dtype, off):
    return s(name) + struct.pack('<I', len(ne)) + b''.join(struct.pack('<Q', d) for d in ne) + struct.pack('<IQ', dtype, off)

def gguf(version, kvs, tensors, data, align=32):
    head = b'GGUF' + struct.pack('<IQQ', version, len(tensors), len(kvs)) + b''.join(kvs) + b''.join(tensors)
    if tensors:
        head += b'\0' * ((align - len(head) % align) % align)
    return head + data

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), 'corpus', 'gguf')
os.makedirs(out, exist_ok=True)

vocab = gguf(3, [
    kv('general.architecture', 8, s('gpt2')),
    kv('tokenizer.ggml.model', 8, s('gpt2')),
    kv('tokenizer.ggml.tokens', 9, arr(8, ['<s>', '</s>', 'a', 'b', 'ab', ''])),
    kv('tokenizer.ggml.token_type', 9, arr(5, [3, 3, 1, 1, 1, 5], 'i')),
    kv('tokenizer.ggml.scores', 9, arr(6, [0.0, 0.0, -1.0, -2.0, -3.5, -9.0], 'f')),
    kv('tokenizer.ggml.merges', 9, arr(8, ['a b'])),
    kv('tokenizer.ggml.add_bos_token', 7, b'\x01'),
], [], b'')

q8 = b''.join(struct.pack('<H', 0x3c00) + bytes(range(32)) for _ in range(2))  # 2 Q8_0 blocks
f32 = struct.pack('<4f', 1.0, 0.5, -0.25, 2.0)
tensors = gguf(3, [
    kv('general.architecture', 8, s('lfm2')),
    kv('general.alignment', 4, struct.pack('<I', 64)),
    kv('lfm2.block_count', 4, struct.pack('<I', 2)),
    kv('lfm2.attention.head_count_kv', 9, arr(5, [0, 8], 'i')),
], [tinfo('blk.0.ffn_up.weight', [32, 2], 8, 0), tinfo('token_embd_norm.weight', [4], 0, 128)],
   q8 + b'\0' * (128 - len(q8)) + f32, align=64)

scalars = gguf(2, [
    kv('u8', 0, b'\xff'), kv('i8', 1, b'\x80'), kv('u16', 2, struct.pack('<H', 65535)),
    kv('i16', 3, struct.pack('<h', -2)), kv('u32', 4, struct.pack('<I', 7)), kv('i32', 5, struct.pack('<i', -7)),
    kv('f32', 6, struct.pack('<f', 1e-5)), kv('b', 7, b'\x00'), kv('str', 8, s('x')),
    kv('u64', 10, struct.pack('<Q', 2**63)), kv('i64', 11, struct.pack('<q', -1)), kv('f64', 12, struct.pack('<d', 1e6)),
    kv('arr.u64', 9, arr(10, [1, 2], 'Q')), kv('arr.f64', 9, arr(12, [0.5], 'd')),
], [tinfo('t', [2, 2], 1, 0)], struct.pack('<4H', 0x3c00, 0, 0xbc00, 0x7bff))

for name, b in [('vocab.seed', vocab), ('tensors.seed', tensors), ('scalars_v2.seed', scalars)]:
    with open(os.path.join(out, name), 'wb') as f:
        f.write(b)
    print(name, len(b))
