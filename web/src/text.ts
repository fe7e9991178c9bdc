// The one UTF-8 decoder of the library. ignoreBOM: a leading U+FEFF is
// data here (a file name, a link's target, a file's first character,
// a guest's output), not a byte-order mark to drop; node:fs keeps it too.
export const textDecoder = new TextDecoder("utf-8", { ignoreBOM: true });
