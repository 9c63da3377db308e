#ifndef XNET_VERSION_H
#define XNET_VERSION_H

#define XNET_VERSION "0.1.0"
/* The git revision is passed by the Makefile; "unknown" outside a checkout. */
#ifndef XNET_GIT_REV
#define XNET_GIT_REV "unknown"
#endif

#endif
