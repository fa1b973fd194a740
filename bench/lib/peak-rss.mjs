// `node --import <this file> ...`: at exit, prints the process's peak resident set size as `PEAK_RSS_KB <n>` on stderr.
process.on('exit', () => process.stderr.write(`PEAK_RSS_KB ${process.resourceUsage().maxRSS}\n`));
