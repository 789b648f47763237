#!/bin/sh
# Guest /init that runs the whole bats suite on the guest's kernel with a real userland: the
# host's root filesystem (shared read-only over virtiofs by tools/vm/boot --share-root) under a
# tmpfs overlay, so that everything can be written and nothing reaches the host.
#
# Console protocol (tools/vm/matrix --bats parses it), one line each:
#   RAWBPF-FACT <key>=<value>      kernel release, how the root was set up
#   RAWBPF-BATS <TAP line>         bats --tap output, line by line
#   RAWBPF-BATS-ERROR <why>        the suite could not be started
#   RAWBPF-DMESG <message>         kernel warnings logged during the run
#   RAWBPF-DONE
# Kernel command line KEY=VALUE words reach us as environment variables:
#   RAWBPF_TOP=/path/of/the/checkout   where the tests are (the same path as on the host)
#   RAWBPF_BATS=run.bats,kit.bats      only these files (default: every test/*.bats)

export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
[ -c /dev/console ] && exec </dev/console >/dev/console 2>&1
echo 1 >/proc/sys/kernel/printk 2>/dev/null

done_() {
	dmesg 2>/dev/null | grep -E 'WARNING:|BUG:|Oops|Call Trace' | head -n 20 | sed 's/^/RAWBPF-DMESG /'
	echo RAWBPF-DONE
	sync
	poweroff -f
}
error() { echo "RAWBPF-BATS-ERROR $*"; done_; }

echo "RAWBPF-FACT kernel_release=$(uname -r)"
[ -n "$RAWBPF_TOP" ] || error "no RAWBPF_TOP= on the kernel command line"
for m in /lib/modules/*.ko; do [ -f "$m" ] && insmod "$m"; done

mkdir -p /lower /rw /newroot
mount -t virtiofs -o ro root /lower || error "mount -t virtiofs root failed (no vhost-user-fs device?)"
mount -t tmpfs -o size=75% rw /rw || error "mount tmpfs failed"
mkdir -p /rw/up /rw/work
if mount -t overlay overlay -o lowerdir=/lower,upperdir=/rw/up,workdir=/rw/work /newroot 2>/tmp/ovl.err; then
	echo "RAWBPF-FACT root=virtiofs (read-only) + tmpfs overlay"
	ovl=1
else
	# Without overlayfs: the shared root as it is, with tmpfs where the suite writes.
	echo "RAWBPF-FACT root=virtiofs (read-only), tmpfs on /tmp /run /var/tmp /root ($(cat /tmp/ovl.err))"
	mount --bind /lower /newroot
	for d in tmp run var/tmp root; do mount -t tmpfs tmpfs "/newroot/$d"; done
fi
mount -t proc proc /newroot/proc
mount -t sysfs sysfs /newroot/sys
mount -t devtmpfs devtmpfs /newroot/dev
mkdir -p /newroot/dev/pts /newroot/dev/shm
mount -t devpts devpts /newroot/dev/pts
mount -t tmpfs tmpfs /newroot/dev/shm
ln -sf /proc/self/fd /newroot/dev/fd
for i in 0:stdin 1:stdout 2:stderr; do ln -sf /proc/self/fd/${i%:*} /newroot/dev/${i#*:}; done
# A fresh /tmp, unless the checkout itself is there (a CI clone in /tmp): the overlay's upper
# layer makes the shared /tmp writable then.
case $RAWBPF_TOP/ in /tmp/*) [ -n "${ovl:-}" ] || mount -t tmpfs tmpfs /newroot/tmp ;; *) mount -t tmpfs tmpfs /newroot/tmp ;; esac
mount -t tmpfs tmpfs /newroot/run
# What a Debian system with this kernel has: its config in /boot (the host's /boot holds the
# host kernel's), and the BPF filesystem mounted (systemd does that).
[ -f /lib/kconfig ] && mkdir -p /newroot/boot && cp /lib/kconfig "/newroot/boot/config-$(uname -r)"
mount -t bpf bpf /newroot/sys/fs/bpf 2>/dev/null || true
[ -d "/newroot$RAWBPF_TOP/test" ] || error "$RAWBPF_TOP/test is not in the shared root"

files=
if [ -n "$RAWBPF_BATS" ]; then
	for f in $(echo "$RAWBPF_BATS" | tr , ' '); do files="$files test/$f"; done
else
	files=test/*.bats
fi
# tracefs is not mounted: the suite decides what to expect from that, as on any machine.
chroot /newroot /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
	HOME=/root TERM=dumb LANG=C.UTF-8 RAWBPF="${RAWBPF:-}" \
	/bin/sh -c "cd '$RAWBPF_TOP' && exec bats --tap ${RAWBPF_BATS_OPTS:-} $files" </dev/null 2>&1 |
	while IFS= read -r l; do echo "RAWBPF-BATS $l"; done
done_
