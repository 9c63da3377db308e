#!/usr/bin/python3
"""Reference states from python3-sgp4 (Debian), the test oracle for spacexnet's
SGP4 (tests/lua/test_tle.lua). Prints one line per element set and time:
  satnum tsince_min error x y z vx vy vz        (km, km/s, TEME)
Usage:
  sgp4_reference.py ver                  the package's SGP4-VER.TLE at its own times
                                         (lines 1 and 2 cut to 69 columns, printed
                                          as 'SET line1|line2' before the rows)
  sgp4_reference.py FILE t0 t1 step      every set in FILE, minutes t0..t1
  sgp4_reference.py gmst JD...           GMST (rad) of each UT1 Julian date, sgp4's gstime
"""
import os
import sys

from sgp4.api import WGS72, Satrec
from sgp4.propagation import gstime


def rows(sat, times):
    for t in times:
        e, r, v = sat.sgp4_tsince(t)
        if not r:  # the pure-Python propagator returns no state on errors 1-4
            r = v = (float("nan"),) * 3
        print(sat.satnum, repr(t), e, *("%.12f" % x for x in list(r) + list(v)))


def main():
    if sys.argv[1] == "gmst":
        for jd in sys.argv[2:]:
            print("%.15f" % gstime(float(jd)))
        return
    if sys.argv[1] == "ver":
        import sgp4
        path = os.path.join(os.path.dirname(sgp4.__file__), "SGP4-VER.TLE")
        lines = [l.rstrip("\n") for l in open(path) if not l.startswith("#")]
        for l1, l2 in zip(lines[0::2], lines[1::2]):
            t0, t1, step = map(float, l2[69:].split())
            print("SET %s|%s" % (l1[:69], l2[:69]))
            sat = Satrec.twoline2rv(l1[:69], l2[:69], WGS72)
            n = int(round((t1 - t0) / step))
            rows(sat, [t0 + k * step for k in range(n + 1)])
        return
    t0, t1, step = map(float, sys.argv[2:5])
    lines = [l.rstrip("\r\n") for l in open(sys.argv[1]) if l.strip()]
    data = [l for l in lines if l[:2] in ("1 ", "2 ")]
    n = int(round((t1 - t0) / step))
    for l1, l2 in zip(data[0::2], data[1::2]):
        rows(Satrec.twoline2rv(l1, l2, WGS72), [t0 + k * step for k in range(n + 1)])


main()
