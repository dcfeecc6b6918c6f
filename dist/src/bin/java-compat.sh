# Sourced by the launchers (not a command). tandem_java_compat_opts JAVA prints the JVM options that
# keep differences between JDKs from biting (docs/install.md, "Java"): warnings on every start, and
# the common pool of JDK 19+:
#  --enable-native-access=ALL-UNNAMED, known to every JDK since 17: Netty loads its native epoll
#    transport with System::loadLibrary, and JDK 24+ warns about that without it (JEP 472);
#  --sun-misc-unsafe-memory-access=allow on JDK 23+ only (17 and 21 refuse to start with it):
#    protobuf and Netty use sun.misc.Unsafe, and JDK 24+ warns at its first use (JEP 498).
#  -Djava.util.concurrent.ForkJoinPool.common.parallelism=8: since JDK 19 CompletableFuture's
#    default async pool is the common pool even where its parallelism is 1 (a 2-core host), so one
#    thread serves the whole JVM; Ratis appends a follower's log entries there, and any task that
#    blocked that thread stopped replication (JDK 25 CI: a commit held for 36 s). JDK 17 used a
#    thread per task there. Threads are made only when needed.
# The version comes from the JDK's release file (no extra JVM start); without one, only the first two.
# These are not tuning: they are added even when TANDEM_JAVA_OPTS replaces the default options.

tandem_java_compat_opts() {
  local real home major=""
  real="$(readlink -f "$1" 2>/dev/null || printf '%s' "$1")"
  home="$(dirname "$(dirname "$real")")"
  if [ -r "$home/release" ]; then
    major="$(sed -n 's/^JAVA_VERSION="\([0-9][0-9]*\).*/\1/p' "$home/release")"
  fi
  printf '%s' "--enable-native-access=ALL-UNNAMED -Djava.util.concurrent.ForkJoinPool.common.parallelism=8"
  case "$major" in
    ''|*[!0-9]*) ;;
    *) if [ "$major" -ge 23 ]; then printf ' %s' "--sun-misc-unsafe-memory-access=allow"; fi ;;
  esac
}
