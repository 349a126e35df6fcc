/** See scripts/_chroot.mjs: the Wine chroot's wrapper script, mounts in a private namespace. */
export function chrootScript(chrootDir: string, checkout: string, command: string[]): string;
