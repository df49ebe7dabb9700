# Sourced by every script that runs psql or pgbench on a connection URL.
#
# The private cluster's URLs (`fundingd db url`) carry their role's password, and a password in a process's
# arguments can be read by any local user in `ps`. `pg_exec CMD ARGS...` runs CMD with every
# `postgres://user:password@...` argument rewritten without the password, which goes through PGPASSWORD instead
# (readable only by this user, in /proc/PID/environ). `psql` below is that wrapper, so scripts call psql as usual.
pg_exec() {
    local args=() pw="" a
    for a in "$@"; do
        if [[ $a =~ ^(postgres(ql)?://[^:/@]+):([^@]*)@(.*)$ ]]; then
            local enc=${BASH_REMATCH[3]}
            pw=$(printf '%b' "${enc//%/\\x}")  # percent-decoded, as libpq would read it from the URL
            a="${BASH_REMATCH[1]}@${BASH_REMATCH[4]}"
        fi
        args+=("$a")
    done
    if [ -n "$pw" ]; then PGPASSWORD=$pw command "${args[@]}"; else command "${args[@]}"; fi
}

psql() { pg_exec psql "$@"; }
