// Per-process figures from Linux's /proc for the benchmarks: CPU time (all threads) and resident memory.
import { execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";

const CLK_TCK = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;

/**
 * utime + stime of a whole process in seconds: /proc/PID/stat fields 14 and 15, which count every thread
 * of the process, those that have ended included. The command name (field 2, in parentheses) may hold
 * spaces, so fields are counted from its closing parenthesis.
 */
export function processCpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/** Resident memory of a process (all threads) in MB (10^6 bytes), from VmRSS in /proc/PID/status. */
export function processRssMB(pid) {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? (Number(m[1]) * 1024) / 1e6 : NaN;
}

/**
 * Bytes a process has written (all threads; files, pipes, terminals and sockets alike): `wchar` of
 * /proc/PID/io.
 */
export function processWrittenBytes(pid) {
  const m = /^wchar:\s+(\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, "utf8"));
  return m ? Number(m[1]) : NaN;
}

/** Starts `kraken-ladder simulate --port 0 ARGS` (BIN: the CLI's path); resolves once it printed its URL. */
export async function startSimulator(bin, args) {
  const server = spawn(process.execPath, [bin, "simulate", "--port", "0", ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  server.stderr.resume();
  const url = await new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error("simulate did not print its URL")), 15_000);
    server.stdout.on("data", (d) => {
      out += d;
      const nl = out.indexOf("\n");
      if (nl >= 0) {
        clearTimeout(timer);
        resolve(out.slice(0, nl).trim());
      }
    });
    server.once("exit", (code) => reject(new Error(`simulate exited ${code}`)));
  });
  server.stdout.resume();
  return { server, url };
}

/** SIGTERM, then SIGKILL after 3 s; resolves when the child is gone (at once if it already is). */
export async function stopChild(child) {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  await Promise.race([exited, sleep(3000)]);
  if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
}

/** Samples a process's CPU time and resident memory from `start()` on. */
export function meter(pid) {
  const rss = [];
  let cpu0;
  let written0;
  let at0;
  return {
    start() {
      cpu0 = processCpuSeconds(pid);
      written0 = processWrittenBytes(pid);
      at0 = performance.now();
      rss.length = 0;
      rss.push(processRssMB(pid));
    },
    sample() {
      rss.push(processRssMB(pid));
    },
    result() {
      const seconds = (performance.now() - at0) / 1000;
      const cpu = processCpuSeconds(pid) - cpu0;
      rss.push(processRssMB(pid));
      return {
        cpuPercent: (100 * cpu) / seconds,
        writtenKBps: (processWrittenBytes(pid) - written0) / 1000 / seconds,
        rssPeakMB: Math.max(...rss),
        rssMeanMB: rss.reduce((a, b) => a + b, 0) / rss.length,
        rssSamples: rss.length,
      };
    },
  };
}
