import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs a program to completion with `posix_spawn` and `waitpid`, returning its exit status and combined output.
///
/// Foundation's `Process.waitUntilExit` was seen never to return once `pg_ctl start` had left a daemon behind
/// (the child stayed a zombie), so the cluster manager reaps its children itself.
enum Subprocess {
    struct Outcome {
        var status: Int32
        var output: String
    }

    /// `captureOutput: false` sends output to /dev/null: needed for tools that leave a daemon holding it open.
    /// `input` is written to the child's standard input (secrets go there, never into `arguments`, which any
    /// local user can read with `ps`); without it standard input is /dev/null.
    static func run(_ executable: String, _ arguments: [String], captureOutput: Bool = true,
                    input: String? = nil) throws -> Outcome {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }

        var fds: [Int32] = [-1, -1]
        if captureOutput {
            guard pipe(&fds) == 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
            posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
            posix_spawn_file_actions_adddup2(&actions, fds[1], 2)
            posix_spawn_file_actions_addclose(&actions, fds[0])
            posix_spawn_file_actions_addclose(&actions, fds[1])
        } else {
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        }
        var inFds: [Int32] = [-1, -1]
        if input != nil {
            guard pipe(&inFds) == 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
            posix_spawn_file_actions_adddup2(&actions, inFds[0], 0)
            posix_spawn_file_actions_addclose(&actions, inFds[0])
            posix_spawn_file_actions_addclose(&actions, inFds[1])
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        if captureOutput { close(fds[1]) }
        if input != nil { close(inFds[0]) }
        guard spawned == 0 else {
            if captureOutput { close(fds[0]) }
            if input != nil { close(inFds[1]) }
            throw POSIXError(.init(rawValue: spawned) ?? .EIO)
        }
        if let input {
            // A child that exits without reading all of it must not kill this process with SIGPIPE.
            signal(SIGPIPE, SIG_IGN)
            // Written from another thread while this one drains the output: neither pipe can fill up and stall.
            let writeEnd = inFds[1]
            let bytes = Array(input.utf8)
            let writer = Thread {
                var offset = 0
                while offset < bytes.count {
                    let n = bytes[offset...].withUnsafeBytes { write(writeEnd, $0.baseAddress, $0.count) }
                    if n > 0 { offset += n } else if n < 0 && errno == EINTR { continue } else { break }
                }
                close(writeEnd)
            }
            writer.start()
        }

        var output = [UInt8]()
        if captureOutput {
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = read(fds[0], &buffer, buffer.count)
                if n > 0 { output += buffer[0..<n] } else if n == 0 || errno != EINTR { break }
            }
            close(fds[0])
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        // WIFEXITED / WEXITSTATUS: the low 7 bits are the terminating signal, the next 8 the exit code.
        let exitCode = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Outcome(status: exitCode, output: String(decoding: output, as: UTF8.self))
    }
}
