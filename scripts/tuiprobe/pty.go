package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// idle runs the command on a pty of its own and counts what it writes:
// the bytes a terminal (or an SSH link) would have to carry.
func idle(args []string) error {
	fs := flag.NewFlagSet("idle", flag.ExitOnError)
	size := fs.String("size", "80x24", "terminal size")
	settle := fs.Duration("settle", 5*time.Second, "wait after starting before measuring")
	period := fs.Duration("for", 30*time.Second, "measure for")
	dump := fs.String("dump", "", "also write what was output while measuring to this file")
	fs.Parse(args)
	w, h, err := parseSize(*size)
	if err != nil {
		return err
	}
	master, slave, err := openPty(w, h)
	if err != nil {
		return err
	}
	defer master.Close()
	cmd := exec.Command(fs.Arg(0), fs.Args()[1:]...)
	cmd.Env = append(os.Environ(), "TERM=xterm-256color")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		return err
	}
	slave.Close()

	var total, writes atomic.Int64
	var measuring atomic.Bool
	var out *os.File
	if *dump != "" {
		if out, err = os.Create(*dump); err != nil {
			return err
		}
		defer out.Close()
	}
	go func() {
		buf := make([]byte, 64<<10)
		for {
			n, err := master.Read(buf)
			total.Add(int64(n))
			writes.Add(1)
			if out != nil && measuring.Load() {
				fmt.Fprintf(out, "%s %q\n", time.Now().Format("15:04:05.000"), buf[:n])
			}
			if err != nil {
				return
			}
		}
	}()

	time.Sleep(*settle)
	measuring.Store(true)
	startBytes, startWrites := total.Load(), writes.Load()
	startCPU, start := cpuTicks(cmd.Process.Pid), time.Now()
	perSecond := make([]float64, 0, int(*period/time.Second))
	last := startBytes
	for time.Since(start) < *period {
		time.Sleep(time.Second)
		now := total.Load()
		perSecond = append(perSecond, float64(now-last))
		last = now
	}
	elapsed := time.Since(start).Seconds()
	cpu := float64(cpuTicks(cmd.Process.Pid)-startCPU) / clockTicks
	bytes := total.Load() - startBytes

	fmt.Printf("startup output: %d bytes in the first %s\n", startBytes, *settle)
	fmt.Printf("idle output: %d bytes in %d reads over %.1f s = %.1f bytes/s\n",
		bytes, writes.Load()-startWrites, elapsed, float64(bytes)/elapsed)
	fmt.Printf("bytes per second: %s\n", join(perSecond))
	fmt.Printf("cpu: %.2f s over %.1f s = %.2f %%\n", cpu, elapsed, cpu/elapsed*100)

	master.Write([]byte{3}) // ctrl+c quits swarmtop
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		cmd.Process.Kill()
		<-done
	}
	return nil
}

// openPty opens a pseudo-terminal pair of size w×h: the master through
// /dev/ptmx, unlocked, and its slave under /dev/pts.
func openPty(w, h int) (master, slave *os.File, err error) {
	master, err = os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, nil, err
	}
	fd := int(master.Fd())
	n, err1 := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	err2 := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0)
	if err := errors.Join(err1, err2); err != nil {
		master.Close()
		return nil, nil, fmt.Errorf("ptmx: %w", err)
	}
	slave, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		master.Close()
		return nil, nil, err
	}
	ws := &unix.Winsize{Col: uint16(w), Row: uint16(h)}
	if err := unix.IoctlSetWinsize(int(slave.Fd()), unix.TIOCSWINSZ, ws); err != nil {
		master.Close()
		slave.Close()
		return nil, nil, err
	}
	return master, slave, nil
}
