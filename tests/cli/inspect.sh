# tests/cli/inspect.sh - inspect on a hand-built GGUF (no tensors, an architecture the engine cannot
# run): licence keys shown, layer layout from the per-layer head_count_kv, long arrays abbreviated with
# their length, awkward strings (quotes, newlines, invalid UTF-8) still give valid JSON. Needs node to
# build the file; skips (77) without it.
. "$(dirname "$0")/lib.sh" "$@"
have_node || { echo "SKIP: node not found"; exit 77; }
F=$T/meta.gguf
node -e '
const parts = [];
const u32 = (v) => { const b = Buffer.alloc(4); b.writeUInt32LE(v); parts.push(b); };
const u64 = (v) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(v)); parts.push(b); };
const str = (s) => { const b = Buffer.isBuffer(s) ? s : Buffer.from(s, "utf8"); u64(b.length); parts.push(b); };
const kvs = [
  ["general.architecture", 8, "lfm9"],
  ["general.name", 8, Buffer.concat([Buffer.from("say \"hi\"\n\ttab "), Buffer.from([0xff, 0xc3])])],
  ["general.license", 8, "other"],
  ["general.license.name", 8, "lfm1.0"],
  ["general.license.link", 8, "https://example.invalid/LICENSE"],
  ["lfm9.block_count", 4, 4],
  ["lfm9.attention.head_count_kv", "i32arr", [0, 2, 0, 2]],
  ["tokenizer.ggml.tokens", "strarr", Array.from({length: 40}, (_, i) => "tok" + i)],
  ["some.float", 6, 0.25],
  ["some.flag", 7, 1],
];
parts.push(Buffer.from("GGUF")); u32(3); u64(0); u64(kvs.length);
for (const [k, t, v] of kvs) {
  str(k);
  if (t === "i32arr") { u32(9); u32(5); u64(v.length); for (const x of v) { const b = Buffer.alloc(4); b.writeInt32LE(x); parts.push(b); } }
  else if (t === "strarr") { u32(9); u32(8); u64(v.length); for (const x of v) str(x); }
  else if (t === 8) { u32(8); str(v); }
  else if (t === 4) { u32(4); u32(v); }
  else if (t === 6) { u32(6); const b = Buffer.alloc(4); b.writeFloatLE(v); parts.push(b); }
  else if (t === 7) { u32(7); parts.push(Buffer.from([v])); }
}
require("fs").writeFileSync(process.argv[1], Buffer.concat(parts));
' "$F" || fail "cannot build the test GGUF"

expect_ok inspect "$F"
grep -q '^architecture:  lfm9' "$T/out" || fail "inspect: architecture"
grep -q '^licence: *other (lfm1.0) https://example.invalid/LICENSE' "$T/out" || fail "inspect: licence line"
grep -q '^layers: *4 (2 attention, 2 short conv): CACA' "$T/out" || fail "inspect: layer layout"
grep -q 'tokenizer.ggml.tokens *str\[40\] *\["tok0", .*, \.\.\.\]' "$T/out" || fail "inspect: long array not abbreviated"
grep -q 'say \\"hi\\"\\n\\ttab' "$T/out" || fail "inspect: string not escaped on one line"

expect_ok inspect --json "$F"
is_json "$T/out" 'j.architecture === "lfm9" && j.license.license === "other" && j.license.name === "lfm1.0"'
is_json "$T/out" 'j.layers.kinds === "CACA" && j.layers.n_attention === 2 && j.totals.n_tensors === 0'
is_json "$T/out" 'j.metadata["tokenizer.ggml.tokens"].len === 40 && j.metadata["tokenizer.ggml.tokens"].head[0] === "tok0"'
is_json "$T/out" 'JSON.stringify(j.metadata["lfm9.attention.head_count_kv"]) === "[0,2,0,2]"'
is_json "$T/out" 'j.metadata["some.float"] === 0.25 && j.metadata["some.flag"] === true'
is_json "$T/out" 'j.name.startsWith("say \"hi\"\n\ttab ") && j.name.endsWith("\ufffd\ufffd")'

# the engine cannot run it, and says so in one line
expect_error 1 run -m "$F" -p hi
done_ok
