j{
    "nftables": [
        {
            "metainfo": {
                "version": "1.0.6",
                "release_name": "Lester Gooch #5",
                "json_schema_version": 1
            }
        },
        {
            "table": {
                "family": "inet",
                "name": "filter",
                "handle": 1
            }
        },
        {
            "set": {
                "family": "inet",
                "name": "admin_hosts",
                "table": "filter",
                "type": "ipv4_addr",
                "handle": 4,
                "flags": [
                    "interval"
                ],
                "elem": [
                    {
                        "prefix": {
                            "addr": "10.10.0.0",
                            "len": 24
                        }
                    },
                    "192.168.50.7"
                ]
            }
        },
        {
            "chain": {
                "family": "inet",
                "table": "filter",
                "name": "input",
                "handle": 1,
                "type": "filter",
                "hook": "input",
                "prio": 0,
                "policy": "accept"
            }
        },
        {
            "chain": {
                "family": "inet",
                "table": "filter",
                "name": "mgmt",
                "handle": 2
            }
        },
        {
            "chain": {
                "family": "inet",
                "table": "filter",
                "name": "forward",
                "handle": 3,
                "type": "filter",
                "hook": "forward",
                "prio": 0,
                "policy": "accept"
            }
        },
        {
            "rule": {
                "family": "inet",
                "table": "filter",
                "chain": "input",
                "handle": 5,
                "expr": [
                    {
                        "match": {
                            "op": "in",
                            "left": {
                                "ct": {
                                    "key": "state"
                                }
                            },
                            "right": [
                                "established",
                                "related"
                            ]
                        }
                    },
                    {
                        "accept": null
                    }
                ]
            }
        },
        {
            "rule": {
                "family": "inet",
                "table": "filter",
                "chain": "input",
                "handle": 6,
                "expr": [
                    {
                        "match": {
                            "op": "==",
                            "left": {
                                "meta": {
                                    "key": "iifname"
                                }
                            },
                            "right": "lo"
                        }
                    },
                    {
                        "accept": null
                    }
                ]
            }
        },
        {
            "rule": {
                "family": "inet",
                "table": "filter",
                "chain": "input",
                "handle": 7,
                "expr": [
                    {
                        "match": {
                            "op": "==",
                            "left": {
                                "payload": {
                                    "protocol": "tcp",
                                    "field": "dport"
                                }
                            },
                            "right": 22
                        }
                    },
                    {
                        "accept": null
                    }
                ]
            }
        },
        {
            "rule": {
                "family": "inet",
                "table": "filter",
                "chain": "input",
                "handle": 9,
                "expr": [
                    {
                        "match": {
                            "op": "==",
                            "left": {
                                "payload": {
                                    "protocol": "tcp",
                                    "field": "dport"
                                }
                            },
                            "right": {
                                "set": [
                                    80,
                                    443
                                ]
                            }
                        }
                    },
                    {
                        "counter": {
                            "packets": 0,
                            "bytes": 0
                        }
                    },
                    {
                        "accept": null
                    }
                ]
            }
        },
        {
            "rule": {
                "family": "inet",
                "table": "filter",
                "chain": "input",
                "handle": 10,
                "expr": [
                    {
                        "match": {
                            "op": "==",
                            "left": {
                                "payload": {
                                    "protocol": "tcp",
                                    "field": "dport"
                                }
                            },
                            "right": 3306
                        }
                    },
                    {
                        "accept": null
                    }
                ]
            }
        },
        {
            "rule": {
                "family": "inet",
                "table": "filter",
                "chain": "input",
                "handle": 11,
                "expr": [
                    {
                        "match": {
                            "op": "==",
                            "left": {
                                "payload": {
                                    "protocol": "ip",
                                    "field": "saddr"
                                }
                            },
                            "right": "@admin_hosts"
                        }
                    },
                    {
                        "match": {
                            "op": "==",
                            "left": {
                                "payload": {
                                    "protocol": "tcp",
                                    "field": "dport"
                                }
                            },
                            "right": {
                                "range": [
                                    8080,
                                    8090
                                ]
                            }
                        }
                    },
                    {
                        "accept": null
                    }
                ]
            }
        },
        {
            "rule": {
                "family": "inet",
                "table": "filter",
                "chain": "input",
                "handle": 12,
                "comment": "shadowed by the web rule",
                "expr": [
                    {
                        "match": {
                            "op": "==",
                            "left": {
                                "payload": {
                                    "protocol": "tcp",
                                    "field": "dport"
                                }
                            },
                            "right": 443
                        }
                    },
                    {
                        "accept": null
                    }
                ]
            }
        },
        {
            "rule": {
                "family": "inet",
                "table": "filter",
                "chain": "input",
                "handle": 13,
                "expr": [
                    {
                        "match": {
                            "op": "!=",
                            "left": {
                                "payload": {
                                    "protocol": "ip",
                                    "field": "saddr"
                                }
                            },
                            "right": {
                                "prefix": {
                                    "addr": "10.0.0.0",
                                    "len": 8
                                }
                            }
                        }
                    },
                    {
                        "match": {
                            "op": "==",
                            "left": {
                                "payload": {
                                    "protocol": "udp",
                                    "field": "dport"
                                }
                            },
                            "right": 161
                        }
                    },
                    {
                        "drop": null
                    }
                ]
            }
        },
        {
            "rule": {
                "family": "inet",
                "table": "filter",
                "chain": "input",
                "handle": 14,
                "expr": [
                    {
                        "jump": {
                            "target": "mgmt"
                        }
                    }
                ]
            }
        },
        {
            "rule": {
                "family": "inet",
                "table": "filter",
                "chain": "mgmt",
                "handle": 15,
                "expr": [
                    {
                        "match": {
                            "op": "==",
                            "left": {
                                "meta": {
                                    "key": "iifname"
                                }
                            },
                            "right": "eth1"
                        }
                    },
                    {
                        "match": {
                            "op": "==",
                            "left": {
                                "payload": {
                                    "protocol": "ip",
                                    "field": "saddr"
                                }
                            },
                            "right": {
                                "prefix": {
                                    "addr": "10.20.0.0",
                                    "len": 16
                                }
                            }
                        }
                    },
                    {
                        "match": {
                            "op": "==",
                            "left": {
                                "payload": {
                                    "protocol": "tcp",
                                    "field": "dport"
                                }
                            },
                            "right": 9100
                        }
                    },
                    {
                        "accept": null
                    }
                ]
            }
        },
        {
            "rule": {
                "family": "inet",
                "table": "filter",
                "chain": "mgmt",
                "handle": 16,
                "expr": [
                    {
                        "log": {
                            "prefix": "mgmt drop "
                        }
                    },
                    {
                        "drop": null
                    }
                ]
            }
        },
        {
            "rule": {
                "family": "inet",
                "table": "filter",
                "chain": "mgmt",
                "handle": 17,
                "expr": [
                    {
                        "return": null
                    }
                ]
            }
        },
        {
            "rule": {
                "family": "inet",
                "table": "filter",
                "chain": "forward",
                "handle": 18,
                "expr": [
                    {
                        "accept": null
                    }
                ]
            }
        },
        {
            "table": {
                "family": "ip",
                "name": "nat",
                "handle": 2
            }
        },
        {
            "chain": {
                "family": "ip",
                "table": "nat",
                "name": "postrouting",
                "handle": 1,
                "type": "nat",
                "hook": "postrouting",
                "prio": 100,
                "policy": "accept"
            }
        },
        {
            "rule": {
                "family": "ip",
                "table": "nat",
                "chain": "postrouting",
                "handle": 2,
                "expr": [
                    {
                        "match": {
                            "op": "==",
                            "left": {
                                "meta": {
                                    "key": "oifname"
                                }
                            },
                            "right": "eth0"
                        }
                    },
                    {
                        "masquerade": null
                    }
                ]
            }
        }
    ]
}
