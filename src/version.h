#ifndef XNET_VERSION_H
#define XNET_VERSION_H

#define XNET_VERSION "0.1.0"
/* XNET_GIT_REV: the git revision, from $(BUILD)/git_rev.h, which the
 * Makefile rewrites whenever `git describe` changes ("unknown" outside a
 * checkout). */
#include "git_rev.h"

#endif
