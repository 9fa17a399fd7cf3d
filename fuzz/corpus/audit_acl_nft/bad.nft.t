ttable inet filter {
	set admin_hosts {
		type ipv4_addr
		flags interval
		elements = { 10.10.0.0/24, 192.168.50.7 }
	}

	chain input {
		type filter hook input priority filter; policy accept;
		ct state established,related accept
		iifname "lo" accept
		tcp dport 22 accept
		tcp dport { 80, 443 } counter packets 0 bytes 0 accept
		tcp dport 3306 accept
		ip saddr @admin_hosts tcp dport 8080-8090 accept
		tcp dport 443 accept comment "shadowed by the web rule"
		ip saddr != 10.0.0.0/8 udp dport 161 drop
		jump mgmt
	}

	chain mgmt {
		iifname "eth1" ip saddr 10.20.0.0/16 tcp dport 9100 accept
		log prefix "mgmt drop " drop
		return
	}

	chain forward {
		type filter hook forward priority filter; policy accept;
		accept
	}
}
table ip nat {
	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "eth0" masquerade
	}
}
