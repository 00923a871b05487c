/**
 * Calls `fn(line, lineNumber)` for each line of a UTF-8 buffer (LF or CRLF; a leading BOM dropped),
 * decoding one line at a time: a JSON Lines object is never held as one string plus an array of its
 * lines (three copies of the input at once).
 */
export function forEachLine(buf: Buffer, fn: (line: string, lineNumber: number) => void): void {
  let start = buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
  let n = 1;
  while (start < buf.length) {
    let end = buf.indexOf(0x0a, start);
    if (end < 0) end = buf.length;
    const stop = end > start && buf[end - 1] === 0x0d ? end - 1 : end;
    fn(buf.toString('utf8', start, stop), n++);
    start = end + 1;
  }
}
