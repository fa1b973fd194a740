/** A command as words, never as a shell string: quoted once, by whoever runs it (src/remote/quote.ts). */
export type Argv = readonly string[];
