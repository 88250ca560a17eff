// OrphanGuard: local scripts die with paiplan, however paiplan dies.
//
// Every script runs as the leader of its own process group (process.h). A
// timeout or a second Ctrl-C kills that group, but a paiplan killed with
// SIGKILL (or crashing) cannot. So paiplan starts one small guard process
// that outlives it: RunProcess registers each running group with the guard
// through a pipe, and unregisters it once the group's leader is reaped. When
// paiplan dies, the kernel closes the pipe (EOF) and delivers the guard's
// parent-death signal; the guard then sends SIGTERM to every group still
// registered, SIGKILL after a grace period, and exits. After a normal exit
// nothing is registered, so daemons a script started on purpose survive.
//
// The guard redirects its stdin/stdout/stderr to /dev/null (it never keeps a
// caller's pipe open), ignores SIGINT/SIGTERM/SIGHUP (a Ctrl-C reaches the
// whole foreground group) and runs only async-signal-safe code after fork().
//
// Thread-safety: StartOrphanGuard once, from the main thread (the parent-death
// signal follows the thread that forked); Guard/Unguard from any thread.
#pragma once

#include <sys/types.h>

#include "engine/base/status.h"

namespace paiplan::script {

// Starts the guard (idempotent). Fails: IOError if the pipe or fork fails;
// scripts then run unguarded.
Status StartOrphanGuard(int grace_ms = 2000);

// Registers/unregisters a running process group. No-ops when no guard runs.
void GuardGroup(pid_t pgid);
void UnguardGroup(pid_t pgid);

// The guard's pid (0 when none), for tests.
pid_t OrphanGuardPid();

// Stops every registered group now (a second Ctrl-C): SIGTERM at once, and
// SIGKILL after `grace_ms` to the groups still registered then (a group is
// unregistered once its leader is reaped, so a reused pid is never hit).
// Returns how many groups were signalled. Works with or without the guard.
int TerminateRunningGroups(int grace_ms);

}  // namespace paiplan::script
