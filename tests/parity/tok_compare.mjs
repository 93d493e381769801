#!/usr/bin/env node
// tests/parity/tok_compare.mjs - tokenizer parity of `lfmrt tokenize` against llama.cpp.
//
// Usage: node tok_compare.mjs --bin LFMRT --model M.gguf --corpus FILE [--special on|off|both] [--peer-dir DIR]
// For every line of FILE ("\n"-separated; no final empty line), `lfmrt tokenize -m M --text LINE
// [--special]` must print the ids llama.cpp gives for the same text (no BOS). Prints one JSON line per
// mode {check: "tokenize", model, special, lines, mismatches, pass}; the first mismatches go to stderr.
// Exit 0 all pass, 1 any mismatch or error, 77 when the llama.cpp peer is unavailable.
import path from "node:path";
import {spawnSync} from "node:child_process";
import {LlamaPeer, parseArgs, readLines} from "./llama_peer.mjs";

const args = parseArgs(process.argv.slice(2));
if (!args.bin || !args.model || !args.corpus) {
    console.error("usage: node tok_compare.mjs --bin LFMRT --model M.gguf --corpus FILE [--special on|off|both]");
    process.exit(2);
}
const modes = {on: [true], off: [false], both: [false, true]}[String(args.special ?? "both")];
if (!modes) { console.error("tok_compare: --special must be on, off or both"); process.exit(2); }

let peer;
try {
    peer = await LlamaPeer.create({peerDir: args["peer-dir"]});
} catch (e) {
    console.error("SKIP: llama.cpp peer unavailable: " + e.message);
    process.exit(77);
}
await peer.load(args.model, {vocabOnly: true});
const lines = readLines(args.corpus);
const show = (s) => JSON.stringify(s.length > 80 ? s.slice(0, 80) + "..." : s);
let allPass = true;
for (const special of modes) {
    const t0 = Date.now();
    let bad = 0, errors = 0;
    for (let i = 0; i < lines.length; i++) {
        const want = peer.tokenize(lines[i], special);
        const argv = ["tokenize", "-m", args.model, "--text", lines[i], ...(special ? ["--special"] : [])];
        const r = spawnSync(args.bin, argv, {encoding: "utf8", maxBuffer: 1 << 28});
        let got = null, why = null;
        if (r.error) why = r.error.message;
        else if (r.status !== 0) why = `exit ${r.status}: ${(r.stderr ?? "").trim().slice(-300)}`;
        else {
            try { got = JSON.parse(r.stdout).ids; } catch (e) { why = "no JSON: " + r.stdout.slice(0, 200); }
            if (!why && !Array.isArray(got)) why = "no ids array";
        }
        if (why) {
            errors++; bad++;
            if (bad <= 10) console.error(`  line ${i + 1} ${show(lines[i])}: lfmrt tokenize failed: ${why}`);
            continue;
        }
        if (got.join(",") !== want.join(",")) {
            bad++;
            if (bad <= 10) {
                let k = 0;
                while (k < got.length && got[k] === want[k]) k++;
                console.error(`  line ${i + 1} ${show(lines[i])}${special ? " (--special)" : ""}: first difference at index ${k}\n` +
                    `    lfmrt: ${JSON.stringify(got.slice(Math.max(0, k - 2), k + 6))}\n    llama: ${JSON.stringify(want.slice(Math.max(0, k - 2), k + 6))}`);
            }
        }
    }
    const pass = bad === 0 && lines.length > 0;
    if (!pass) allPass = false;
    console.log(JSON.stringify({check: "tokenize", model: path.basename(args.model), special, lines: lines.length,
        mismatches: bad, errors, pass, ms: Date.now() - t0}));
}
await peer.close();
process.exit(allPass ? 0 : 1);
