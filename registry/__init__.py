"""The sites everything points at: counter offices, rural ICT offices, ATMs, bank kiosks, people."""
