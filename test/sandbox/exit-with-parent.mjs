// Preloaded into Azurite's processes (node --import): they exit when the sandbox that started them dies,
// even by SIGKILL, because the sandbox's end of their stdin pipe closes then. No orphaned Azurite.
process.stdin.on("end", () => process.exit(0));
process.stdin.on("error", () => process.exit(0));
process.stdin.resume();
