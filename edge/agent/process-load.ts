/**
 * The agent's own CPU and memory, for the heartbeat: CPU is the process's user+system time since the
 * previous reading over the wall time in between, in % of one core.
 */
export class ProcessLoad {
  private lastCpu = process.cpuUsage();
  private lastAt = performance.now();

  read(): { cpu_percent: number; rss_bytes: number; heap_used_bytes: number } {
    const cpu = process.cpuUsage(this.lastCpu);
    const at = performance.now();
    const wallUs = Math.max(1, (at - this.lastAt) * 1000);
    this.lastCpu = process.cpuUsage();
    this.lastAt = at;
    const mem = process.memoryUsage();
    return {
      cpu_percent: Math.round(((cpu.user + cpu.system) / wallUs) * 1000) / 10,
      rss_bytes: mem.rss,
      heap_used_bytes: mem.heapUsed,
    };
  }
}
