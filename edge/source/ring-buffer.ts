/**
 * The last lines a child process wrote, bounded in lines and characters. ffmpeg's stderr is quiet when
 * things work and explains everything when they fail, so the agent keeps a tail and logs it only when
 * a stream fails (Frigate does the same with its ffmpeg log pipe).
 */
export class LineRing {
  private readonly lines: string[] = [];
  private partial = '';

  constructor(
    private readonly maxLines = 40,
    private readonly maxLineChars = 500,
  ) {}

  push(chunk: string): void {
    const parts = (this.partial + chunk).split(/\r?\n|\r/);
    this.partial = parts.pop() ?? '';
    if (this.partial.length > this.maxLineChars) this.partial = this.partial.slice(-this.maxLineChars);
    for (const line of parts) {
      if (line.trim() === '') continue;
      this.lines.push(line.length > this.maxLineChars ? `${line.slice(0, this.maxLineChars)}…` : line);
      if (this.lines.length > this.maxLines) this.lines.shift();
    }
  }

  /** Everything held, oldest first, including an unterminated last line. */
  text(): string {
    return [...this.lines, ...(this.partial.trim() ? [this.partial] : [])].join('\n');
  }

  clear(): void {
    this.lines.length = 0;
    this.partial = '';
  }
}
