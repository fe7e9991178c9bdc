/**
 * VFSError is a failed operation: `errno` is the Linux errno number the
 * VFS returned (2), `code` its name ("ENOENT"), `syscall` the operation
 * and `path` its path when it has one. The message reads like Node's:
 * "ENOENT: No such file or directory, stat '/nope'".
 */
export class VFSError extends Error {
  readonly errno: number;
  readonly code: string;
  readonly syscall: string;
  declare readonly path?: string;
  declare readonly dest?: string;

  constructor(errno: number, code: string, text: string, syscall: string, path?: string, dest?: string) {
    let msg = `${code}: ${text}, ${syscall}`;
    if (path !== undefined) msg += ` '${path}'`;
    if (dest !== undefined) msg += ` -> '${dest}'`;
    super(msg);
    this.name = "VFSError";
    this.errno = errno;
    this.code = code;
    this.syscall = syscall;
    if (path !== undefined) this.path = path;
    if (dest !== undefined) this.dest = dest;
  }
}
