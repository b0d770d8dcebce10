#ifndef CFILESYSTEM_H
#define CFILESYSTEM_H

/// Atomically exchanges two paths on one file system (Linux renameat2 RENAME_EXCHANGE).
/// Returns 0, or -1 with errno set (EINVAL/ENOSYS where the file system or kernel cannot).
int cfs_exchange(const char *a, const char *b);

/// Takes an exclusive, non-blocking flock on an open file descriptor: 0, or -1 with errno.
int cfs_try_lock(int fd);

#endif
