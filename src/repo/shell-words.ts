// Shell-like word splitting for command lines that are not run by a shell.

/**
 * Splits text into arguments like a POSIX shell would (quotes and backslashes; no expansion):
 * `--smoke` text, and compose's string-form `command:`/`entrypoint:`, which compose splits the same way.
 */
export function splitArguments(text: string): string[] {
  const args: string[] = [];
  let current = "";
  let inWord = false;
  let quote: "'" | '"' | undefined;
  for (let index = 0; index < text.length; index++) {
    const char = text[index] as string;
    if (quote === "'") {
      if (char === "'") quote = undefined;
      else current += char;
      continue;
    }
    if (quote === '"') {
      if (char === '"') quote = undefined;
      else if (char === "\\" && index + 1 < text.length && '"\\$`'.includes(text[index + 1] as string)) current += text[++index];
      else current += char;
      continue;
    }
    if (char === "'" || char === '"') {
      quote = char;
      inWord = true;
    } else if (char === "\\" && index + 1 < text.length) {
      current += text[++index];
      inWord = true;
    } else if (/\s/.test(char)) {
      if (inWord) args.push(current);
      current = "";
      inWord = false;
    } else {
      current += char;
      inWord = true;
    }
  }
  if (quote !== undefined) throw new Error(`unterminated ${quote} quote in ${JSON.stringify(text)}`);
  if (inWord) args.push(current);
  return args;
}
