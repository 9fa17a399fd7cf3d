ttable inet filter {
	set admin_hosts {
		type ipv4_addr
		flags interval
		elements = { 10.10.0.0/24 }
	}

	chain input {
		type filter hook input priority filter; policy drop;
		ct state established,related accept
		iifname "lo" accept
		ip saddr @admin_hosts tcp dport 22 accept
		meta l4proto { tcp, udp } th dport 53 ip saddr 10.10.0.0/16 accept
		icmp type echo-request limit rate 5/second accept
		log prefix "input drop " drop
	}

	chain forward {
		type filter hook forward priority filter; policy drop;
	}
}
