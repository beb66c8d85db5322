// Per-process figures from Linux's /proc for the benchmarks: CPU time (all threads) and resident memory.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

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
