import { list } from 'tar';

const strip = (name: string) => name.replace(/^\.\//, '');

/** The entries of a (plain or gzipped) tar, without a leading `./`. */
export async function listTar(file: string): Promise<string[]> {
  const names: string[] = [];
  await list({ file, onReadEntry: (entry) => names.push(strip(entry.path)) });
  return names;
}

/** One file's text out of a tar, or undefined when it has none by that name. */
export async function readTarFile(file: string, name: string): Promise<string | undefined> {
  let text: string | undefined;
  await list({
    file,
    onReadEntry: (entry) => {
      if (strip(entry.path) !== name || entry.type !== 'File') {
        entry.resume();
        return;
      }
      const chunks: Buffer[] = [];
      entry.on('data', (chunk: Buffer) => chunks.push(chunk));
      entry.on('end', () => (text = Buffer.concat(chunks).toString('utf8')));
    },
  });
  return text;
}
