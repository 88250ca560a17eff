// PP_CHECK: abort on a broken invariant (a bug in paiplan, never bad input).
#pragma once

#include <cstdio>
#include <cstdlib>

#define PP_CHECK(cond)                                                                   \
  do {                                                                                   \
    if (!(cond)) {                                                                       \
      std::fprintf(stderr, "paiplan: internal error: check failed at %s:%d: %s\n", __FILE__, \
                   __LINE__, #cond);                                                     \
      std::abort();                                                                      \
    }                                                                                    \
  } while (0)
