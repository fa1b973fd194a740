import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

const HTTP_BACKEND = '/usr/lib/git-core/git-http-backend';

export interface GitServer {
  /** `http://host:port/NAME.git`: no credentials in it (they go through the credential helper). */
  url(repo: string): string;
  /** The bare repository's folder, for `git --git-dir` checks. */
  bareDir(repo: string): string;
  /** A bare repository with one commit of `files` on `branch`; returns the commit. A public one is read without credentials. */
  createRepo(repo: string, files: Record<string, string>, options?: { branch?: string; public?: boolean }): string;
  /** One more commit of `files` on `branch` of the bare repository; returns it. */
  commit(repo: string, files: Record<string, string>, branch?: string): string;
  /** Branch names of the bare repository. */
  branches(repo: string): string[];
  /** Requests answered 401, for checks that a wrong token is refused. */
  refused(): number;
  close(): Promise<void>;
}

const gitEnv = { GIT_AUTHOR_NAME: 'test', GIT_AUTHOR_EMAIL: 'test@localcloud', GIT_COMMITTER_NAME: 'test', GIT_COMMITTER_EMAIL: 'test@localcloud' };

function git(args: string[], cwd?: string): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...gitEnv } }).trim();
}

/** Runs `git http-backend` (CGI) for one request and relays its answer. */
function serveCgi(root: string, user: string, req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const child = spawn(HTTP_BACKEND, [], {
    env: {
      PATH: process.env.PATH,
      GIT_PROJECT_ROOT: root,
      GIT_HTTP_EXPORT_ALL: '1',
      REMOTE_USER: user,
      REQUEST_METHOD: req.method ?? 'GET',
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.slice(1),
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      ...(req.headers['content-length'] ? { CONTENT_LENGTH: req.headers['content-length'] } : {}),
      ...(req.headers['content-encoding'] ? { HTTP_CONTENT_ENCODING: req.headers['content-encoding'] } : {}),
      GIT_PROTOCOL: String(req.headers['git-protocol'] ?? ''),
    },
  });
  req.pipe(child.stdin);
  let head = Buffer.alloc(0);
  let headersDone = false;
  child.stdout.on('data', (chunk: Buffer) => {
    if (headersDone) return void res.write(chunk);
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf('\r\n\r\n');
    if (end === -1) return;
    headersDone = true;
    let status = 200;
    for (const line of head.subarray(0, end).toString('latin1').split('\r\n')) {
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).trim();
      const value = line.slice(colon + 1).trim();
      if (name.toLowerCase() === 'status') status = Number(value.split(' ')[0]);
      else res.setHeader(name, value);
    }
    res.writeHead(status);
    res.write(head.subarray(end + 4));
  });
  child.stderr.resume();
  child.on('close', () => {
    if (!headersDone) res.writeHead(500);
    res.end();
  });
}

/**
 * A git server for the tests: bare repositories served over smart HTTP by `git http-backend`, behind basic
 * authentication (any user name, `password` as the password: a token), on `host` (the local cloud's bridge
 * address, which its VMs and their containers reach).
 */
export async function startGitServer(host: string, password: string): Promise<GitServer> {
  const root = mkdtempSync(path.join(tmpdir(), 'kamal-dev-git-server-'));
  let refused = 0;
  const publicRepos = new Set<string>();
  const server: Server = createServer((req, res) => {
    const repo = /^\/([^/]+)\.git\//.exec(req.url ?? '')?.[1];
    const reading = !/service=git-receive-pack|\/git-receive-pack$/.test(req.url ?? '');
    if (repo !== undefined && reading && publicRepos.has(repo)) return serveCgi(root, 'anonymous', req, res);
    const auth = req.headers.authorization ?? '';
    const decoded = auth.startsWith('Basic ') ? Buffer.from(auth.slice(6), 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    if (colon === -1 || decoded.slice(colon + 1) !== password) {
      if (auth) refused++;
      res.writeHead(401, { 'www-authenticate': 'Basic realm="localcloud git"' });
      return void res.end('authentication required\n');
    }
    serveCgi(root, decoded.slice(0, colon) || 'user', req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const bareDir = (repo: string) => path.join(root, `${repo}.git`);
  const commit = (repo: string, files: Record<string, string>, branch = 'main') => {
    const work = mkdtempSync(path.join(tmpdir(), 'kamal-dev-git-work-'));
    try {
      git(['clone', '--quiet', bareDir(repo), work]);
      const exists = git(['-C', work, 'ls-remote', '--heads', 'origin', branch]) !== '';
      git(['-C', work, 'checkout', '--quiet', ...(exists ? [branch] : ['--orphan', branch])]);
      for (const [file, text] of Object.entries(files)) {
        mkdirSync(path.dirname(path.join(work, file)), { recursive: true });
        writeFileSync(path.join(work, file), text);
      }
      git(['-C', work, 'add', '-A']);
      git(['-C', work, 'commit', '--quiet', '-m', `commit of ${Object.keys(files).join(', ')}`]);
      git(['-C', work, 'push', '--quiet', 'origin', `HEAD:refs/heads/${branch}`]);
      return git(['-C', work, 'rev-parse', 'HEAD']);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  };
  return {
    url: (repo) => `http://${host}:${port}/${repo}.git`,
    bareDir,
    createRepo: (repo, files, options = {}) => {
      const branch = options.branch ?? 'main';
      if (options.public) publicRepos.add(repo);
      git(['init', '--quiet', '--bare', '--initial-branch', branch, bareDir(repo)]);
      git(['--git-dir', bareDir(repo), 'config', 'http.receivepack', 'true']);
      return commit(repo, files, branch);
    },
    commit,
    branches: (repo) => git(['--git-dir', bareDir(repo), 'for-each-ref', '--format=%(refname:short)', 'refs/heads']).split('\n').filter(Boolean).sort(),
    refused: () => refused,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          rmSync(root, { recursive: true, force: true });
          resolve();
        });
      }),
  };
}
