package main

import "syscall"

// prSetTHPDisable is prctl's PR_SET_THP_DISABLE.
const prSetTHPDisable = 41

// noHugePages turns transparent huge pages off for this process before
// it runs encoders. x264 asks for huge pages (MADV_HUGEPAGE) for its
// multi-megabyte per-frame buffers and frees and allocates them again
// frame after frame, so each first touch of one makes the kernel zero a
// whole 2 MiB page: 7% of a 720p x264 encode's CPU in a profile
// (clear_page_erms under do_huge_pmd_anonymous_page), against 4 KiB
// pages zeroed only where written. A failure leaves the default.
func noHugePages() { syscall.RawSyscall(syscall.SYS_PRCTL, prSetTHPDisable, 1, 0) }
