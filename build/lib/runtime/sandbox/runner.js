// The Deno side of gra's sandbox: runs ONE untrusted Python program in Pyodide (CPython on WebAssembly).
//
// Deno is started with no permission but reading Pyodide's own files and the snapshot (see deno.py):
// no network, no host file, no environment, no subprocess, no FFI. Python inside Pyodide sees only
// Pyodide's in-memory file system, and whatever it reaches of JavaScript meets the same permissions.
//
// Two modes, chosen by the first argument:
//
//   snapshot OUT    load Pyodide, import the modules programs use most, write a memory snapshot to OUT.
//                   Run once per machine (python -m runtime.sandbox --warm); the only mode that may write.
//   serve SNAPSHOT  restore Pyodide from SNAPSHOT (~0.5 s), say {"ready": true}, run the one program that
//                   comes on stdin, reply, exit. One process per program: nothing a program does, to
//                   Python or to this JavaScript realm, is seen by the next.
//
// Request:  {"token": "...", "code": "...", "output_chars": 20000}
// Reply:    {"token": "...", "status": "ok|error|memory|output_limit|crash", "stdout", "stderr",
//            "stdout_cut", "stderr_cut", "detail"}
// The token is the host's; the program cannot read it, so it cannot forge a reply. Timeouts are the
// host's: it kills this process (a loop inside WebAssembly cannot be interrupted from JavaScript).

import { loadPyodide } from "npm:pyodide@0.29.4";

// Imported before the snapshot is taken, so that programs find them loaded.
const PRELOAD = [
  "math", "cmath", "fractions", "decimal", "itertools", "functools", "operator", "re", "collections",
  "json", "statistics", "typing", "string", "heapq", "bisect", "random", "datetime", "copy",
  "dataclasses", "enum", "traceback", "numbers",
];

// Taken before any program runs: a program that reaches JavaScript may replace the globals, not these.
const stringify = JSON.stringify;
const parse = JSON.parse;
const encoder = new TextEncoder();
const encode = encoder.encode.bind(encoder);
const writeOut = Deno.stdout.writeSync.bind(Deno.stdout);
const slice = (bytes, start, end) => Uint8Array.prototype.subarray.call(bytes, start, end);

function say(message) {
  const bytes = encode(stringify(message) + "\n");
  for (let done = 0; done < bytes.length;) done += writeOut(slice(bytes, done));
}

// One output stream of the program: keeps the first `limit` characters and notes that more came.
function cappedSink(limit) {
  const decoder = new TextDecoder();
  const sink = { text: "", cut: false };
  sink.write = (buffer) => {
    const room = limit - sink.text.length;
    if (room > 0) sink.text += decoder.decode(slice(buffer, 0, room * 4), { stream: true });
    if (sink.text.length > limit || buffer.length > room * 4) {
      sink.text = sink.text.slice(0, limit);
      sink.cut = true;
      throw new Error("output limit"); // the program's write fails (OSError): printing for ever ends here
    }
    return buffer.length;
  };
  return sink;
}

function lastLine(text) {
  const lines = String(text).split("\n").map((line) => line.trimEnd()).filter(Boolean);
  return lines.length ? lines[lines.length - 1] : "";
}

// The traceback's "Type: message" line (notes may follow it, as for a module Pyodide unvendored).
function exceptionLine(type, message) {
  const lines = String(message).split("\n").map((line) => line.trimEnd());
  const named = lines.filter((line) => line === type || line.startsWith(type + ":") || line.includes("." + type + ":"));
  return named.length ? named[named.length - 1] : lastLine(message) || type;
}

// Pyodide's traceback starts with its own frames; the program's start at "<program>".
function programTraceback(message) {
  const lines = message.split("\n");
  const first = lines.findIndex((line) => line.includes('File "<program>"'));
  return first < 0 ? message : ["Traceback (most recent call last):", ...lines.slice(first)].join("\n");
}

// SystemExit as CPython's own `python prog.py` takes it: no code or 0 is success; a number is a failing
// exit code; anything else is printed to stderr and fails.
function exited(code) {
  if (code === "" || code === "0" || code === "None") return { status: "ok", detail: "" };
  if (/^-?\d+$/.test(code)) return { status: "error", detail: `SystemExit: ${code}` };
  return { status: "error", detail: `SystemExit: ${code}`, toStderr: code };
}

// What an exception out of the program means. Python's own exceptions carry a `type`; os._exit(n)
// stops the interpreter ("Program terminated with exit(n)"); a Deno permission refusal inside a C
// library call (os.system asks for the environment) surfaces as NotCapable.
function classify(error) {
  if (error && error.type === "SystemExit") return exited(lastLine(error.message).replace(/^SystemExit:?\s*/, ""));
  if (error && typeof error.type === "string") {
    const status = error.type === "MemoryError" ? "memory" : "error";
    return { status, detail: exceptionLine(error.type, error.message), toStderr: programTraceback(error.message) };
  }
  const text = String(error?.message ?? error);
  const exit = /Program terminated with exit\((-?\d+)\)/.exec(text); // os._exit(n)
  if (exit) return exited(exit[1]);
  if (/NotCapable|PermissionDenied|Requires \w+ access/.test(text)) {
    return { status: "error", detail: `PermissionError: the sandbox refused it (${lastLine(text)})` };
  }
  const memory = /out of memory|Cannot enlarge memory|Maximum memory size|Aborted\(OOM\)/i.test(text);
  return { status: memory ? "memory" : "crash", detail: lastLine(text) || "the interpreter stopped" };
}

function runProgram(py, code, limit) {
  const out = cappedSink(limit), err = cappedSink(limit);
  py.setStdout({ write: out.write, isatty: false });
  py.setStderr({ write: err.write, isatty: false });
  let outcome = { status: "ok", detail: "" };
  try {
    py.runPython(code, { globals: py.toPy({ __name__: "__main__" }), filename: "<program>" });
  } catch (error) {
    outcome = classify(error);
  }
  try {
    py.runPython("import sys\nfor s in (sys.stdout, sys.stderr):\n    try: s.flush()\n    except BaseException: pass");
  } catch { /* the interpreter has exited: what it wrote is kept */ }
  try {
    if (outcome.toStderr) err.write(encode(outcome.toStderr.trimEnd() + "\n"));
  } catch { /* stderr was already full */ }
  if ((out.cut || err.cut) && outcome.status !== "memory") { // a crash after the cut is the cut's doing
    outcome = { status: "output_limit", detail: `the program printed more than ${limit} characters` };
  }
  return { status: outcome.status, detail: outcome.detail, stdout: out.text, stderr: err.text,
           stdout_cut: out.cut, stderr_cut: err.cut };
}

async function firstLine() {
  const decoder = new TextDecoder();
  let text = "";
  for await (const chunk of Deno.stdin.readable) {
    text += decoder.decode(chunk, { stream: true });
    const newline = text.indexOf("\n");
    if (newline >= 0) return text.slice(0, newline);
  }
  return text;
}

async function serve(snapshotPath) {
  let py;
  try {
    py = await loadPyodide({
      _loadSnapshot: Deno.readFileSync(snapshotPath),
      jsglobals: Object.create(null), // `import js` finds nothing of this realm's globals
      stdin: () => null, // input() and sys.stdin see end-of-file, never this process's stdin
    });
  } catch (error) {
    say({ ready: false, detail: `Pyodide did not start from its snapshot: ${lastLine(error?.message ?? error)}` });
    return;
  }
  say({ ready: true, pyodide: "0.29.4" });
  const line = await firstLine();
  if (!line.trim()) return; // the host closed without a program: a spare that was not needed
  const request = parse(line);
  const token = String(request.token);
  let reply;
  try {
    reply = runProgram(py, String(request.code), Number(request.output_chars));
  } catch (error) {
    reply = { ...classify(error), stdout: "", stderr: "", stdout_cut: false, stderr_cut: false };
  }
  const message = Object.create(null); // no prototype: nothing a program added to Object.prototype applies
  message.token = token;
  for (const key of ["status", "detail", "stdout", "stderr", "stdout_cut", "stderr_cut"]) message[key] = reply[key];
  say(message);
}

async function snapshot(outPath) {
  const py = await loadPyodide({ _makeSnapshot: true });
  py.runPython(`import ${PRELOAD.join(", ")}`);
  Deno.writeFileSync(outPath, py.makeMemorySnapshot());
  say({ snapshot: outPath, pyodide: "0.29.4" });
}

const [mode, path] = Deno.args;
if (mode === "snapshot") await snapshot(path);
else if (mode === "serve") await serve(path);
else throw new Error(`usage: runner.js snapshot OUT | serve SNAPSHOT (got ${mode})`);
Deno.exit(0); // whatever a program left scheduled does not run on
