/**
 * Writes the sandbox refused, read from what the tools printed. The runtime's
 * own write monitor rides on the seccomp filter that Unix sockets need off
 * (see policy.ts), so the kernel's answer is what we have: every shell, Node
 * and Python say EROFS in their own words, with the path next to it.
 */
const PATTERNS = [
  // sh / dash: "cannot create /etc/x: Read-only file system"; bash: "/tmp/x: Read-only file system"
  /(?:cannot create |can't create |)(\/[^\s:'"]+): Read-only file system/g,
  // Node: "EROFS: read-only file system, open '/tmp/x'"
  /EROFS: read-only file system, \w+ '(\/[^']+)'/g,
  // coreutils: "touch: cannot touch '/tmp/x': Read-only file system", "mkdir: cannot create directory '/x'"
  /cannot (?:touch|create directory|create regular file|remove|open) '(\/[^']+)': Read-only file system/g,
  // Python: "OSError: [Errno 30] Read-only file system: '/tmp/x'"
  /\[Errno 30\] Read-only file system: '(\/[^']+)'/g
]

export function deniedWrites(output: string): string[] {
  const found = new Set<string>()
  for (const re of PATTERNS) for (const m of output.matchAll(re)) if (m[1]) found.add(m[1])
  return [...found]
}
