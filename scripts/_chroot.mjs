// The wrapper that runs a command in the Wine chroot (scripts/platform.mjs
// windows), with nothing left mounted on this machine when it ends.

/**
 * A shell script that runs `command...` chrooted in `chrootDir` with /proc,
 * /dev and `checkout` mounted there, all in a private mount namespace of its
 * own (`unshare -m`): the mounts live as long as that one process and vanish
 * with it, however it ends (done, killed, interrupted), so nothing stays
 * mounted in this machine's namespace (a later `rm -rf` of the chroot cannot
 * reach /dev or the checkout through it). The script's own arguments follow
 * `command`; it runs in the caller's current directory, inside the chroot.
 * `chroot` is looked up on PATH (a test puts a stand-in there).
 */
export function chrootScript(chrootDir, checkout, command) {
  const q = (w) => `'${w.replaceAll("'", `'\\''`)}'`;
  return [
    "#!/bin/sh",
    `# ${command.join(" ")} in the chroot ${chrootDir} (scripts/platform.mjs), in a private mount namespace`,
    "exec unshare -m --propagation private /bin/sh -c '",
    "root=$0 checkout=$1 dir=$2",
    "shift 2",
    'mount -t proc proc "$root/proc" && mount --bind /dev "$root/dev" && mount --bind "$checkout" "$root$checkout" || exit 125',
    'exec chroot "$root" /bin/sh -c "cd \\"\\$0\\" && exec \\"\\$@\\"" "$dir" "$@"',
    `' ${q(chrootDir)} ${q(checkout)} "$(pwd)" ${command.map(q).join(" ")} "$@"`,
    "",
  ].join("\n");
}
