//! A TCP forwarder between prismig and the database, owned by a test: it can start late,
//! cut one connection or all of them, and freeze (keep the sockets open, forward nothing),
//! as a hung network does.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// Each accepted connection: the client side and the server side.
type Pairs = Arc<Mutex<Vec<(TcpStream, TcpStream)>>>;

pub struct Proxy {
    stop: Arc<AtomicBool>,
    frozen: Arc<AtomicBool>,
    conns: Pairs,
}

/// A free loopback port (bound then released).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn pipe(mut from: TcpStream, mut to: TcpStream, frozen: Arc<AtomicBool>) {
    let mut buf = [0u8; 16384];
    loop {
        match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                while frozen.load(Ordering::SeqCst) {
                    thread::sleep(Duration::from_millis(20));
                }
                if to.write_all(&buf[..n]).is_err() {
                    break;
                }
            }
        }
    }
    let _ = to.shutdown(Shutdown::Both);
    let _ = from.shutdown(Shutdown::Both);
}

impl Proxy {
    /// Forwards `127.0.0.1:port` to `upstream` (`host:port`).
    pub fn start(port: u16, upstream: String) -> Proxy {
        let listener = TcpListener::bind(("127.0.0.1", port)).expect("bind the proxy port");
        listener.set_nonblocking(true).unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let frozen = Arc::new(AtomicBool::new(false));
        let conns: Pairs = Arc::new(Mutex::new(Vec::new()));
        let (s, c, f) = (stop.clone(), conns.clone(), frozen.clone());
        thread::spawn(move || {
            while !s.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((client, _)) => {
                        client.set_nonblocking(false).unwrap();
                        let Ok(server) = TcpStream::connect(&upstream) else {
                            continue;
                        };
                        c.lock()
                            .unwrap()
                            .push((client.try_clone().unwrap(), server.try_clone().unwrap()));
                        let (c2, s2) = (client.try_clone().unwrap(), server.try_clone().unwrap());
                        let (f1, f2) = (f.clone(), f.clone());
                        thread::spawn(move || pipe(client, server, f1));
                        thread::spawn(move || pipe(s2, c2, f2));
                    }
                    Err(_) => thread::sleep(Duration::from_millis(20)),
                }
            }
        });
        Proxy {
            stop,
            frozen,
            conns,
        }
    }

    /// How many connections were made through the proxy so far.
    pub fn connections(&self) -> usize {
        self.conns.lock().unwrap().len()
    }

    /// Cuts every connection made so far.
    pub fn cut(&self) {
        for (client, server) in self.conns.lock().unwrap().iter() {
            let _ = client.shutdown(Shutdown::Both);
            let _ = server.shutdown(Shutdown::Both);
        }
    }

    /// Cuts the `n`th connection made (from 0), both ways, and no other.
    pub fn cut_nth(&self, n: usize) {
        if let Some((client, server)) = self.conns.lock().unwrap().get(n) {
            let _ = client.shutdown(Shutdown::Both);
            let _ = server.shutdown(Shutdown::Both);
        }
    }

    /// Stops forwarding bytes, keeping every socket open: a hung network.
    pub fn freeze(&self) {
        self.frozen.store(true, Ordering::SeqCst);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        self.frozen.store(false, Ordering::SeqCst);
        self.cut();
    }
}
